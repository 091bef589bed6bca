package org.vspam.operator;

import io.javaoperatorsdk.operator.Operator;
import io.micronaut.health.HealthStatus;
import io.micronaut.management.health.indicator.AbstractHealthIndicator;
import io.micronaut.management.health.indicator.annotation.Liveness;
import io.micronaut.management.health.indicator.annotation.Readiness;
import jakarta.inject.Singleton;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Healthy once the operator has started and while every informer is watching; an informer that
 * lost its watch (RBAC taken away, API server gone) or a lost leader lease makes the pod unhealthy,
 * so that the kubelet restarts it.
 */
@Singleton
@Liveness
@Readiness
final class OperatorHealth extends AbstractHealthIndicator<Map<String, Object>> {
    private final Operator operator;
    private final Leadership leadership;

    OperatorHealth(Operator operator, Leadership leadership) {
        this.operator = operator;
        this.leadership = leadership;
    }

    @Override
    protected Map<String, Object> getHealthInformation() {
        var runtime = operator.getRuntimeInfo();
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("started", runtime.isStarted());
        details.put("leadership", leadership.state().name().toLowerCase(Locale.ROOT));
        if (!runtime.isStarted() || leadership.state() == Leadership.State.LOST) {
            healthStatus = HealthStatus.DOWN;
        } else if (!runtime.allEventSourcesAreHealthy()) {
            healthStatus = HealthStatus.DOWN;
            details.put("unhealthyEventSources", runtime.unhealthyEventSources().keySet());
        } else {
            healthStatus = HealthStatus.UP;
        }
        return details;
    }

    @Override
    public String getName() {
        return "operator";
    }
}
