package org.vspam.operator;

import io.javaoperatorsdk.operator.Operator;
import io.micronaut.health.HealthStatus;
import io.micronaut.management.health.indicator.AbstractHealthIndicator;
import io.micronaut.management.health.indicator.annotation.Liveness;
import io.micronaut.management.health.indicator.annotation.Readiness;
import jakarta.inject.Singleton;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Healthy once the operator has started and while every informer is watching; an informer that
 * lost its watch (RBAC taken away, API server gone) makes the pod unhealthy so that it restarts.
 */
@Singleton
@Liveness
@Readiness
final class OperatorHealth extends AbstractHealthIndicator<Map<String, Object>> {
    private final Operator operator;

    OperatorHealth(Operator operator) {
        this.operator = operator;
    }

    @Override
    protected Map<String, Object> getHealthInformation() {
        var runtime = operator.getRuntimeInfo();
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("started", runtime.isStarted());
        if (!runtime.isStarted()) {
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
