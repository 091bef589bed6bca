package org.vspam.operator.dependentresource;

import io.javaoperatorsdk.operator.api.reconciler.Context;
import org.vspam.operator.customresource.VspamAgent;
import org.vspam.operator.plan.AgentPlan;

/** The reconciliation's {@link AgentPlan}, which the reconciler puts in the context before the workflow runs. */
final class Plans {
    private Plans() {
    }

    static AgentPlan of(Context<VspamAgent> context) {
        return context.managedWorkflowAndDependentResourceContext().getMandatory(AgentPlan.KEY, AgentPlan.class);
    }
}
