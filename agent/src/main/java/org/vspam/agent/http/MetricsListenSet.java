package org.vspam.agent.http;

import io.micronaut.context.condition.Condition;
import io.micronaut.context.condition.ConditionContext;
import org.vspam.config.AgentConfig;

/** True when health and metrics have a listener of their own ({@code metrics_listen}). */
final class MetricsListenSet implements Condition {
    @Override
    public boolean matches(ConditionContext context) {
        return context.getBeanContext().findBean(AgentConfig.class).map(config -> config.metricsListen().isPresent()).orElse(false);
    }
}
