package org.vspam.agent;

import io.micronaut.context.condition.Condition;
import io.micronaut.context.condition.ConditionContext;
import org.vspam.config.AgentConfig;

/** True when blocked senders are to be reported: an API, a key, and {@code reporting_enabled}. */
final class ReportingActive implements Condition {
    @Override
    public boolean matches(ConditionContext context) {
        return context.getBeanContext().findBean(AgentConfig.class).map(AgentConfig::reportingActive).orElse(false);
    }
}
