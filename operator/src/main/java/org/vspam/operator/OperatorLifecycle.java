package org.vspam.operator;

import io.javaoperatorsdk.operator.Operator;
import io.micronaut.context.annotation.Context;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micronaut.runtime.server.event.ServerStartupEvent;
import jakarta.annotation.PreDestroy;
import io.micronaut.runtime.event.annotation.EventListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts the operator once the application's HTTP server, and so its health endpoint, listens
 * (Micronaut's {@code StartupEvent} comes before that, and reconciling began with health unanswered);
 * on shutdown stops it and gives up the leader Lease.
 */
@Context
final class OperatorLifecycle {
    private static final Logger LOG = LoggerFactory.getLogger(OperatorLifecycle.class);

    private final Operator operator;
    private final OperatorSettings settings;
    private final KubernetesClient client;
    private final Leadership leadership;

    OperatorLifecycle(Operator operator, OperatorSettings settings, KubernetesClient client, Leadership leadership) {
        this.operator = operator;
        this.settings = settings;
        this.client = client;
        this.leadership = leadership;
    }

    @EventListener
    void onStartup(ServerStartupEvent event) {
        operator.start();
        LOG.info("vspam operator started: watching {}, leader election {}",
                settings.namespaces().isEmpty() ? "all namespaces" : "namespaces " + settings.namespaces(),
                settings.leaderElection() ? "on (lease " + AgentOperator.LEASE_NAME + ")" : "off");
    }

    @PreDestroy
    void stop() {
        boolean leading = leadership.state() == Leadership.State.LEADING; // stopping ends the leadership
        operator.stop();
        if (leading) {
            AgentOperator.releaseLease(client, settings, leadership);
        }
    }
}
