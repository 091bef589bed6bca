package org.vspam.operator.dependentresource;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.openshift.api.model.monitoring.v1.PodMonitor;
import io.fabric8.openshift.api.model.monitoring.v1.PodMonitorBuilder;
import io.fabric8.openshift.api.model.monitoring.v1.RelabelConfigBuilder;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import java.util.List;
import org.vspam.operator.customresource.VspamAgent;
import org.vspam.operator.plan.AgentContainer;
import org.vspam.operator.plan.AgentNames;

/**
 * Prometheus Operator scraping of the sidecars' /metrics: the Postfix pods that carry this resource's
 * sidecar, where Postfix's policy requests are answered. Only the agent's container is scraped, whatever
 * ports Postfix's own containers name, and its targets get the shared agents' job name.
 */
@KubernetesDependent(informer = @Informer(labelSelector = AgentNames.MANAGED_SELECTOR))
public final class AgentPodMonitorDependent extends CRUDKubernetesDependentResource<PodMonitor, VspamAgent> {

    public AgentPodMonitorDependent() {
        super(PodMonitor.class);
    }

    @Override
    protected PodMonitor desired(VspamAgent agent, Context<VspamAgent> context) {
        return render(agent);
    }

    public static PodMonitor render(VspamAgent agent) {
        ObjectMeta metadata = AgentServiceMonitorDependent.monitorMetadata(agent, AgentNames.sidecarMonitor(agent));
        return new PodMonitorBuilder()
                .withMetadata(metadata)
                .withNewSpec()
                .withNewSelector().withMatchLabels(AgentNames.sidecarSelector(agent)).endSelector()
                .addNewPodMetricsEndpoint().withPort(AgentContainer.METRICS_PORT_NAME).withPath("/metrics").withInterval(AgentServiceMonitorDependent.interval(agent))
                .withRelabelings(List.of(
                        new RelabelConfigBuilder().withSourceLabels("__meta_kubernetes_pod_container_name").withRegex(AgentContainer.NAME)
                                .withAction("keep").build(),
                        new RelabelConfigBuilder().withTargetLabel("job").withReplacement(AgentNames.APP).build()))
                .endPodMetricsEndpoint()
                .endSpec()
                .build();
    }
}
