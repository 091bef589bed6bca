package org.vspam.operator;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import java.util.HashSet;
import org.vspam.operator.plan.AgentPlanner;
import org.vspam.operator.reconciler.AgentStatusReport;
import org.vspam.operator.plan.OperatorDefaults;
import org.vspam.operator.reconciler.ReconcilerMetrics;
import org.vspam.operator.reconciler.VspamAgentReconciler;

/** Builds the JOSDK operator with the VspamAgent controller, the same way in the application and in its tests. */
public final class AgentOperator {
    public static final String LEASE_NAME = "vspam-operator";
    private static final Logger LOG = LoggerFactory.getLogger(AgentOperator.class);

    private AgentOperator() {
    }

    /**
     * Gives up the Lease this replica holds, as a leader stopping on SIGTERM should: the next
     * replica takes over at once instead of waiting out the lease (JOSDK only stops renewing it).
     * Written as client-go's elector releases: no holder, a one-second lease; only while the Lease
     * still names this replica.
     */
    public static void releaseLease(KubernetesClient client, OperatorSettings settings, Leadership leadership) {
        if (!settings.leaderElection()) {
            return;
        }
        try {
            Lease lease = client.leases().inNamespace(settings.leaseNamespace()).withName(LEASE_NAME).get();
            if (lease == null || !leadership.identity().equals(lease.getSpec().getHolderIdentity())) {
                return;
            }
            lease.getSpec().setHolderIdentity("");
            lease.getSpec().setLeaseDurationSeconds(1);
            lease.getSpec().setRenewTime(ZonedDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.MICROS));
            client.resource(lease).update();
            LOG.info("released the leader Lease {}/{}", settings.leaseNamespace(), LEASE_NAME);
        } catch (KubernetesClientException e) {
            LOG.warn("could not release the leader Lease {}/{} ({}); another replica takes over when it expires",
                    settings.leaseNamespace(), LEASE_NAME, e.getMessage());
        }
    }

    /**
     * Dependents are created and updated without server-side apply: the tests' API server does not
     * have it, and the code path that runs in clusters should be the one that is tested. The
     * dependents' matcher compares only the fields the operator sets, so defaults the API server
     * adds do not cause updates.
     */
    public static Operator build(KubernetesClient client, Metrics metrics, ReconcilerMetrics reconcilerMetrics, OperatorSettings settings,
                                 OperatorDefaults defaults, Leadership leadership) {
        Operator operator = new Operator(overrider -> {
            overrider.withKubernetesClient(client)
                    .withMetrics(metrics)
                    .withCloseClientOnStop(false)
                    .withSSABasedCreateUpdateMatchForDependentResources(false)
                    .withUseSSAToPatchPrimaryResource(false)
                    .withConcurrentReconciliationThreads(settings.reconcileThreads())
                    .withConcurrentWorkflowExecutorThreads(settings.reconcileThreads());
            if (!settings.leaderElection()) {
                leadership.leading(); // the only replica
            } else {
                // Losing the lease does not exit the JVM (that would also fire during a normal shutdown);
                // it turns the liveness check down, and the kubelet restarts the pod into the election.
                overrider.withLeaderElectionConfiguration(new LeaderElectionConfiguration(LEASE_NAME, settings.leaseNamespace(),
                        LeaderElectionConfiguration.LEASE_DURATION_DEFAULT_VALUE, LeaderElectionConfiguration.RENEW_DEADLINE_DEFAULT_VALUE,
                        LeaderElectionConfiguration.RETRY_PERIOD_DEFAULT_VALUE, leadership.identity(),
                        new LeaderCallbacks(leadership::leading, leadership::lost, leader -> { }), false));
            }
        });
        VspamAgentReconciler reconciler = new VspamAgentReconciler(new AgentPlanner(defaults), new AgentStatusReport(Clock.systemUTC()),
                settings.secretRecheck(), reconcilerMetrics);
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
