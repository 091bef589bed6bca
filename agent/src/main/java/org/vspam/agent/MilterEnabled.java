package org.vspam.agent;

import io.micronaut.context.condition.Condition;
import io.micronaut.context.condition.ConditionContext;
import org.vspam.config.AgentConfig;

/** True when the milter listens ({@code milter_listen} is set). */
final class MilterEnabled implements Condition {
    @Override
    public boolean matches(ConditionContext context) {
        return context.getBeanContext().findBean(AgentConfig.class).map(config -> config.milter().listen().isPresent()).orElse(false);
    }
}
