package org.vspam.operator.sidecar;

import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.Map;
import java.util.Optional;

/**
 * The Deployment or StatefulSet a pod being created belongs to, found from its controller reference
 * as the admission request carries it (the pod has no name yet, only generateName).
 */
public final class PodOwner {
    /** The label a Deployment's ReplicaSet puts on its pods; the ReplicaSet is named {@code <deployment>-<hash>}. */
    static final String POD_TEMPLATE_HASH = "pod-template-hash";

    private PodOwner() {
    }

    /** {@code Kind/name} of the workload, when the pod's controller is a ReplicaSet of a Deployment or a StatefulSet. */
    public static Optional<String> reference(Pod pod) {
        if (pod.getMetadata() == null || pod.getMetadata().getOwnerReferences() == null) {
            return Optional.empty();
        }
        Map<String, String> labels = pod.getMetadata().getLabels() == null ? Map.of() : pod.getMetadata().getLabels();
        for (OwnerReference owner : pod.getMetadata().getOwnerReferences()) {
            if (!Boolean.TRUE.equals(owner.getController()) || owner.getApiVersion() == null || !owner.getApiVersion().startsWith("apps/")) {
                continue;
            }
            if ("StatefulSet".equals(owner.getKind())) {
                return Optional.of("StatefulSet/" + owner.getName());
            }
            String hash = labels.get(POD_TEMPLATE_HASH);
            // The ReplicaSet controller names a Deployment's ReplicaSets <deployment>-<pod-template-hash>;
            // reading the name spares the admission path a ReplicaSet lookup.
            if ("ReplicaSet".equals(owner.getKind()) && hash != null && owner.getName().endsWith("-" + hash)) {
                return Optional.of("Deployment/" + owner.getName().substring(0, owner.getName().length() - hash.length() - 1));
            }
        }
        return Optional.empty();
    }

    /** The workload itself, read from the API server; empty when it is not (or no longer) there. */
    public static Optional<Workload> workload(KubernetesClient client, String namespace, Pod pod) {
        return reference(pod).flatMap(reference -> {
            String name = reference.substring(reference.indexOf('/') + 1);
            if (reference.startsWith("StatefulSet/")) {
                StatefulSet set = client.apps().statefulSets().inNamespace(namespace).withName(name).get();
                return Optional.ofNullable(set).map(Workload.OfStatefulSet::new);
            }
            Deployment deployment = client.apps().deployments().inNamespace(namespace).withName(name).get();
            return Optional.ofNullable(deployment).map(Workload.OfDeployment::new);
        });
    }
}
