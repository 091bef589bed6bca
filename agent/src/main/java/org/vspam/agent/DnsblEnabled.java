package org.vspam.agent;

import io.micronaut.context.condition.Condition;
import io.micronaut.context.condition.ConditionContext;
import org.vspam.config.AgentConfig;

/** True when the DNSBL is asked ({@code dnsbl_enabled}). */
final class DnsblEnabled implements Condition {
    @Override
    public boolean matches(ConditionContext context) {
        return context.getBeanContext().findBean(AgentConfig.class).map(AgentConfig::dnsblEnabled).orElse(false);
    }
}
