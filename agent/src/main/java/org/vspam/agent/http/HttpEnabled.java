package org.vspam.agent.http;

import io.micronaut.context.condition.Condition;
import io.micronaut.context.condition.ConditionContext;
import org.vspam.config.AgentConfig;

/**
 * True when the HTTP API is on ({@code http_enabled}). Its controllers exist only then, so an agent
 * that answers Postfix alone builds no routes and binds no HTTP port (Micronaut still reads the HTTP
 * server's bean definitions, as it reads every definition on the class path).
 */
final class HttpEnabled implements Condition {
    @Override
    public boolean matches(ConditionContext context) {
        return context.getBeanContext().findBean(AgentConfig.class).map(AgentConfig::httpEnabled).orElse(false);
    }
}
