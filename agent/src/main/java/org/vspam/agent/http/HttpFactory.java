package org.vspam.agent.http;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Requires;
import io.micronaut.serde.ObjectMapper;
import jakarta.inject.Singleton;
import java.util.Optional;
import org.vspam.agent.AgentState;
import org.vspam.agent.decision.DecisionService;
import org.vspam.agent.decision.LiveControls;
import org.vspam.agent.observe.SourceHealth;
import org.vspam.agent.policy.PolicyEventLoops;
import org.vspam.agent.shared.SharedCache;
import org.vspam.config.AgentConfig;

/** The HTTP listener and its endpoints, when {@code http_enabled}; started by the agent after the policy listener. */
@Factory
final class HttpFactory {

    @Singleton
    @Bean(preDestroy = "close")
    @Requires(condition = HttpEnabled.class)
    HttpServer httpServer(AgentConfig config, DecisionService decisions, AgentState state, SourceHealth sources,
                          Optional<SharedCache> sharedCache, PrometheusMeterRegistry prometheus, MeterRegistry registry,
                          ObjectMapper json, PolicyEventLoops loops, LiveControls controls) {
        HttpEndpoints endpoints = new HttpEndpoints(new CheckEndpoint(decisions, json, registry),
                new HealthEndpoint(state, sources, sharedCache, controls::configHash, json), new MetricsEndpoint(prometheus), json);
        return new HttpServer(config.httpListen(), config.idleTimeout(), endpoints, loops);
    }
}
