package org.vspam.operator;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import java.time.Clock;
import java.util.HashSet;
import org.vspam.operator.reconciler.AgentPlanner;
import org.vspam.operator.reconciler.AgentStatusReport;
import org.vspam.operator.reconciler.OperatorDefaults;
import org.vspam.operator.reconciler.VspamAgentReconciler;

/** Builds the JOSDK operator with the VspamAgent controller, the same way in the application and in its tests. */
public final class AgentOperator {
    public static final String LEASE_NAME = "vspam-operator";

    private AgentOperator() {
    }

    /**
     * Dependents are created and updated without server-side apply: the tests' API server does not
     * have it, and the code path that runs in clusters should be the one that is tested. The
     * dependents' matcher compares only the fields the operator sets, so defaults the API server
     * adds do not cause updates.
     */
    public static Operator build(KubernetesClient client, Metrics metrics, OperatorSettings settings, OperatorDefaults defaults,
                                 Leadership leadership) {
        Operator operator = new Operator(overrider -> {
            overrider.withKubernetesClient(client)
                    .withMetrics(metrics)
                    .withCloseClientOnStop(false)
                    .withSSABasedCreateUpdateMatchForDependentResources(false)
                    .withUseSSAToPatchPrimaryResource(false);
            if (!settings.leaderElection()) {
                leadership.leading(); // the only replica
            } else {
                // Losing the lease does not exit the JVM (that would also fire during a normal shutdown);
                // it turns the liveness check down, and the kubelet restarts the pod into the election.
                overrider.withLeaderElectionConfiguration(new LeaderElectionConfiguration(LEASE_NAME, settings.leaseNamespace(),
                        LeaderElectionConfiguration.LEASE_DURATION_DEFAULT_VALUE, LeaderElectionConfiguration.RENEW_DEADLINE_DEFAULT_VALUE,
                        LeaderElectionConfiguration.RETRY_PERIOD_DEFAULT_VALUE, null,
                        new LeaderCallbacks(leadership::leading, leadership::lost, leader -> { }), false));
            }
        });
        VspamAgentReconciler reconciler = new VspamAgentReconciler(new AgentPlanner(defaults), new AgentStatusReport(Clock.systemUTC()));
        operator.register(reconciler, configuration -> {
            if (settings.namespaces().isEmpty()) {
                configuration.watchingAllNamespaces();
            } else {
                configuration.settingNamespaces(new HashSet<>(settings.namespaces()));
            }
        });
        return operator;
    }
}
