package org.vspam.operator.dependentresource;

import org.vspam.operator.plan.AgentNames;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import org.vspam.operator.customresource.VspamAgent;

/** With more than one agent, node drains take them one at a time. */
@KubernetesDependent(informer = @Informer(labelSelector = AgentNames.MANAGED_SELECTOR))
public final class AgentDisruptionBudgetDependent extends CRUDKubernetesDependentResource<PodDisruptionBudget, VspamAgent> {

    public AgentDisruptionBudgetDependent() {
        super(PodDisruptionBudget.class);
    }

    @Override
    protected PodDisruptionBudget desired(VspamAgent agent, Context<VspamAgent> context) {
        return render(agent);
    }

    public static PodDisruptionBudget render(VspamAgent agent) {
        return new PodDisruptionBudgetBuilder()
                .withMetadata(AgentNames.metadata(agent, AgentNames.workload(agent)))
                .withNewSpec()
                .withMaxUnavailable(new IntOrString(1))
                .withNewSelector().withMatchLabels(AgentNames.selector(agent)).endSelector()
                .endSpec()
                .build();
    }
}
