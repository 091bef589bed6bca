package org.vspam.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.vspam.operator.customresource.VspamAgent;
import org.vspam.operator.plan.AgentPlanner;
import org.vspam.operator.testing.Fixtures;

/** The operator's own metrics for the alert rules: failed reconciles counted from zero. */
class ReconcilerMetricsTest {
    @Test
    void failedReconcilesAreCountedFromZero() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        VspamAgentReconciler reconciler = new VspamAgentReconciler(new AgentPlanner(Fixtures.DEFAULTS),
                new AgentStatusReport(Clock.systemUTC()), Duration.ofMinutes(2), new ReconcilerMetrics(registry));
        assertThat(registry.get("vspam.operator.reconcile.errors").counter().count()).as("exported before any failure").isZero();

        VspamAgent agent = Fixtures.agent("mail", "vspam");
        reconciler.updateErrorStatus(agent, null, new IllegalStateException("Forbidden"));
        reconciler.updateErrorStatus(agent, null, new IllegalStateException("Forbidden"));

        assertThat(registry.get("vspam.operator.reconcile.errors").counter().count()).isEqualTo(2);
        assertThat(agent.getStatus().conditions).anyMatch(condition -> condition.getReason().equals("ReconcileError"));
    }
}
