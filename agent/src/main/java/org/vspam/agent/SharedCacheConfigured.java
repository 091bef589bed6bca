package org.vspam.agent;

import io.micronaut.context.condition.Condition;
import io.micronaut.context.condition.ConditionContext;
import org.vspam.config.AgentConfig;

/** True when {@code redis_url} names a shared cache. */
final class SharedCacheConfigured implements Condition {
    @Override
    public boolean matches(ConditionContext context) {
        return context.getBeanContext().findBean(AgentConfig.class).flatMap(AgentConfig::redisUrl).isPresent();
    }
}
