package org.vspam.operator.dependentresource;

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
import org.vspam.operator.plan.AgentContainer;
import org.vspam.operator.plan.AgentNames;

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
        return new ServiceMonitorBuilder()
                .withMetadata(monitorMetadata(agent, AgentNames.workload(agent)))
                .withNewSpec()
                // the job is the Service's app.kubernetes.io/name, vspam-agent, whatever the resource is called:
                // the shipped alert rules and dashboard find every agent by it
                .withJobLabel(AgentNames.NAME_LABEL)
                .withNewSelector().withMatchLabels(AgentNames.selector(agent)).endSelector()
                .addNewEndpoint().withPort(AgentContainer.METRICS_PORT_NAME).withPath("/metrics").withInterval(interval(agent)).endEndpoint()
                .endSpec()
                .build();
    }

    /** A monitor's metadata: the owned objects' labels, and those {@code spec.metrics.labels} adds (the release a Prometheus selects). */
    static ObjectMeta monitorMetadata(VspamAgent agent, String name) {
        ObjectMeta metadata = AgentNames.metadata(agent, name);
        if (metrics(agent).labels != null) {
            Map<String, String> labels = new LinkedHashMap<>(metadata.getLabels());
            labels.putAll(metrics(agent).labels);
            metadata.setLabels(labels);
        }
        return metadata;
    }

    static String interval(VspamAgent agent) {
        return metrics(agent).interval;
    }

    private static MetricsSpec metrics(VspamAgent agent) {
        return agent.getSpec().metrics == null ? new MetricsSpec() : agent.getSpec().metrics;
    }
}
