package org.vspam.operator.dependentresource;

import org.vspam.operator.plan.AgentNames;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import java.util.Map;
import org.vspam.operator.customresource.VspamAgent;
import org.vspam.operator.plan.AgentPlan;

/** The agent.yml every agent of the resource reads; secrets are not in it. */
@KubernetesDependent(informer = @Informer(labelSelector = AgentNames.MANAGED_SELECTOR))
public final class AgentConfigMapDependent extends CRUDKubernetesDependentResource<ConfigMap, VspamAgent> {

    public AgentConfigMapDependent() {
        super(ConfigMap.class);
    }

    @Override
    protected ConfigMap desired(VspamAgent agent, Context<VspamAgent> context) {
        return render(agent, Plans.of(context));
    }

    public static ConfigMap render(VspamAgent agent, AgentPlan plan) {
        return new ConfigMapBuilder()
                .withMetadata(AgentNames.metadata(agent, AgentNames.configMap(agent)))
                .withData(Map.of(AgentNames.CONFIG_FILE, plan.agentYaml()))
                .build();
    }
}
