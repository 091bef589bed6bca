package org.vspam.operator.dependentresource;

import org.vspam.operator.plan.AgentNames;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.openshift.api.model.monitoring.v1.ServiceMonitor;
import io.fabric8.openshift.api.model.monitoring.v1.ServiceMonitorBuilder;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import java.util.LinkedHashMap;
import java.util.Map;
import org.vspam.operator.customresource.MetricsSpec;
import org.vspam.operator.customresource.VspamAgent;

/** Prometheus Operator scraping of the shared agents' /metrics, where that operator is installed. */
@KubernetesDependent(informer = @Informer(labelSelector = AgentNames.MANAGED_SELECTOR))
public final class AgentServiceMonitorDependent extends CRUDKubernetesDependentResource<ServiceMonitor, VspamAgent> {

    public AgentServiceMonitorDependent() {
        super(ServiceMonitor.class);
    }

    @Override
    protected ServiceMonitor desired(VspamAgent agent, Context<VspamAgent> context) {
        return render(agent);
    }

    public static ServiceMonitor render(VspamAgent agent) {
        MetricsSpec metrics = agent.getSpec().metrics == null ? new MetricsSpec() : agent.getSpec().metrics;
        ObjectMeta metadata = AgentNames.metadata(agent, AgentNames.workload(agent));
        if (metrics.labels != null) {
            Map<String, String> labels = new LinkedHashMap<>(metadata.getLabels());
            labels.putAll(metrics.labels); // e.g. the release label a Prometheus selects on
            metadata.setLabels(labels);
        }
        return new ServiceMonitorBuilder()
                .withMetadata(metadata)
                .withNewSpec()
                .withNewSelector().withMatchLabels(AgentNames.selector(agent)).endSelector()
                .addNewEndpoint().withPort("http").withPath("/metrics").withInterval(metrics.interval).endEndpoint()
                .endSpec()
                .build();
    }
}
