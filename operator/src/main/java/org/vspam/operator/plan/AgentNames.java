package org.vspam.operator.plan;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.util.Map;
import org.vspam.operator.customresource.VspamAgent;

/**
 * Names, labels and annotations of what the operator creates. The selector labels are stable for the
 * life of a resource; the managed-by label keeps the operator's informers to its own objects.
 */
public final class AgentNames {
    public static final String MANAGED_BY = "vspam-operator";
    /** Informer selector of the operator's own dependents. */
    public static final String MANAGED_SELECTOR = "app.kubernetes.io/managed-by=" + MANAGED_BY;
    /** On a pod template: a digest of the configuration and the secrets it reads, so a change rolls the pods. */
    public static final String CONFIG_HASH = "vspam.org/config-hash";
    public static final String CONFIG_FILE = "agent.yml";
    public static final int POLICY_PORT = 10045;
    public static final int HTTP_PORT = 10046;
    /** Health and metrics ({@code metrics_listen}), on the pod's address in both shapes: probes, Prometheus, ConfigApplied. */
    public static final int METRICS_PORT = 10048;
    public static final int MILTER_PORT = 10047;

    private AgentNames() {
    }

    /** The Deployment, Service, PodDisruptionBudget and ServiceMonitor share the resource's name. */
    public static String workload(VspamAgent agent) {
        return agent.getMetadata().getName();
    }

    public static String configMap(VspamAgent agent) {
        return agent.getMetadata().getName() + "-config";
    }

    /** The label naming the application; on the agents' Service, their job in Prometheus. */
    public static final String NAME_LABEL = "app.kubernetes.io/name";

    /** The agent pods' app.kubernetes.io/name (the chart's webhook never sends them to itself). */
    public static final String APP = "vspam-agent";

    /**
     * On each Postfix pod that carries this resource's sidecar (set with the sidecar, in the template or
     * the pod): what the sidecars' PodMonitor selects.
     */
    public static final String SIDECAR_LABEL = "vspam.org/agent";

    /** The PodMonitor of the sidecars. */
    public static String sidecarMonitor(VspamAgent agent) {
        return agent.getMetadata().getName() + "-sidecars";
    }

    /** What selects the Postfix pods that carry this resource's sidecar. */
    public static Map<String, String> sidecarSelector(VspamAgent agent) {
        return Map.of(SIDECAR_LABEL, agent.getMetadata().getName());
    }

    /** What selects the agent pods of one resource. */
    public static Map<String, String> selector(VspamAgent agent) {
        return Map.of(NAME_LABEL, APP, "app.kubernetes.io/instance", agent.getMetadata().getName());
    }

    /** The metadata of an object the operator owns: its name, the resource's namespace, {@link #labels}. */
    public static ObjectMeta metadata(VspamAgent agent, String name) {
        return new ObjectMetaBuilder().withName(name).withNamespace(agent.getMetadata().getNamespace()).withLabels(labels(agent)).build();
    }

    /** Every object the operator creates carries these. */
    public static Map<String, String> labels(VspamAgent agent) {
        return Map.of(NAME_LABEL, APP, "app.kubernetes.io/instance", agent.getMetadata().getName(),
                "app.kubernetes.io/component", "agent", "app.kubernetes.io/managed-by", MANAGED_BY);
    }
}
