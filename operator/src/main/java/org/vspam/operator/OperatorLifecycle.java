package org.vspam.operator;

import io.javaoperatorsdk.operator.Operator;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.event.StartupEvent;
import io.micronaut.runtime.event.annotation.EventListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Starts the operator once the application (and its health endpoint) is up. */
@Context
final class OperatorLifecycle {
    private static final Logger LOG = LoggerFactory.getLogger(OperatorLifecycle.class);

    private final Operator operator;
    private final OperatorSettings settings;

    OperatorLifecycle(Operator operator, OperatorSettings settings) {
        this.operator = operator;
        this.settings = settings;
    }

    @EventListener
    void onStartup(StartupEvent event) {
        operator.start();
        LOG.info("vspam operator started: watching {}, leader election {}",
                settings.namespaces().isEmpty() ? "all namespaces" : "namespaces " + settings.namespaces(),
                settings.leaderElection() ? "on (lease " + AgentOperator.LEASE_NAME + ")" : "off");
    }
}
