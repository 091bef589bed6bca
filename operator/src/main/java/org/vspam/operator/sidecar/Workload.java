package org.vspam.operator.sidecar;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.HashMap;
import java.util.Map;
import java.util.function.UnaryOperator;

/** A Postfix workload the sidecar can go into: a Deployment or a StatefulSet, the user's own. */
public sealed interface Workload {
    /** On the workload: the VspamAgent whose sidecar it carries. One agent per workload. */
    String CLAIM = "vspam.org/agent";

    HasMetadata resource();

    PodTemplateSpec template();

    /** Which pods are the workload's: its {@code spec.selector}. */
    LabelSelector podSelector();

    /**
     * Patches the pod template and the claim annotation ({@code null} removes it), touching nothing
     * else: the change is sent as a JSON patch computed from the difference.
     */
    void update(KubernetesClient client, UnaryOperator<PodTemplateSpec> change, String claim);

    default String kind() {
        return resource().getKind();
    }

    default String name() {
        return resource().getMetadata().getName();
    }

    /** {@code Kind/name}, as the status lists it. */
    default String reference() {
        return kind() + "/" + name();
    }

    default Map<String, String> labels() {
        return resource().getMetadata().getLabels() == null ? Map.of() : resource().getMetadata().getLabels();
    }

    default String claim() {
        Map<String, String> annotations = resource().getMetadata().getAnnotations();
        return annotations == null ? null : annotations.get(CLAIM);
    }

    private static void claim(HasMetadata resource, String claim) {
        Map<String, String> annotations = new HashMap<>(resource.getMetadata().getAnnotations() == null
                ? Map.of() : resource.getMetadata().getAnnotations());
        if (claim == null) {
            annotations.remove(CLAIM);
        } else {
            annotations.put(CLAIM, claim);
        }
        resource.getMetadata().setAnnotations(annotations);
    }

    record OfDeployment(Deployment resource) implements Workload {
        @Override
        public PodTemplateSpec template() {
            return resource.getSpec().getTemplate();
        }

        @Override
        public LabelSelector podSelector() {
            return resource.getSpec().getSelector();
        }

        @Override
        public void update(KubernetesClient client, UnaryOperator<PodTemplateSpec> change, String claim) {
            client.apps().deployments().inNamespace(resource.getMetadata().getNamespace()).withName(name()).edit(current -> {
                current.getSpec().setTemplate(change.apply(current.getSpec().getTemplate()));
                Workload.claim(current, claim);
                return current;
            });
        }
    }

    record OfStatefulSet(StatefulSet resource) implements Workload {
        @Override
        public PodTemplateSpec template() {
            return resource.getSpec().getTemplate();
        }

        @Override
        public LabelSelector podSelector() {
            return resource.getSpec().getSelector();
        }

        @Override
        public void update(KubernetesClient client, UnaryOperator<PodTemplateSpec> change, String claim) {
            client.apps().statefulSets().inNamespace(resource.getMetadata().getNamespace()).withName(name()).edit(current -> {
                current.getSpec().setTemplate(change.apply(current.getSpec().getTemplate()));
                Workload.claim(current, claim);
                return current;
            });
        }
    }
}
