package org.vspam.agent.http;

import io.micronaut.context.condition.Condition;
import io.micronaut.context.condition.ConditionContext;
import org.vspam.config.AgentConfig;

/** True when the HTTP API is on ({@code http_enabled}): an agent that answers Postfix alone binds no HTTP port. */
final class HttpEnabled implements Condition {
    @Override
    public boolean matches(ConditionContext context) {
        return context.getBeanContext().findBean(AgentConfig.class).map(AgentConfig::httpEnabled).orElse(false);
    }
}
