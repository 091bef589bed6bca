package org.vspam.agent.http;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Requires;
import io.micronaut.serde.ObjectMapper;
import jakarta.inject.Named;
import jakarta.inject.Singleton;
import java.util.Optional;
import org.vspam.agent.AgentState;
import org.vspam.agent.decision.DecisionService;
import org.vspam.agent.decision.LiveControls;
import org.vspam.agent.observe.SourceHealth;
import org.vspam.agent.policy.PolicyEventLoops;
import org.vspam.agent.shared.SharedCache;
import org.vspam.config.AgentConfig;

/**
 * The HTTP listeners and their endpoints, started by the agent after the policy listener: {@code http_listen}
 * when {@code http_enabled} ({@code /check}, and {@code /health} and {@code /metrics} unless they have
 * {@code metrics_listen}), and {@code metrics_listen} when set (only those two), so that probes and Prometheus
 * can reach a pod's agent while {@code /check} stays on loopback.
 */
@Factory
final class HttpFactory {

    @Singleton
    @Named(HttpServer.HTTP)
    @Bean(preDestroy = "close")
    @Requires(condition = HttpEnabled.class)
    HttpServer httpServer(AgentConfig config, DecisionService decisions, AgentState state, SourceHealth sources,
                          Optional<SharedCache> sharedCache, PrometheusMeterRegistry prometheus, MeterRegistry registry,
                          ObjectMapper json, PolicyEventLoops loops, LiveControls controls) {
        boolean observedHere = config.metricsListen().isEmpty();
        HttpEndpoints endpoints = new HttpEndpoints(Optional.of(new CheckEndpoint(decisions, json, registry, config.milter().maxUrls(),
                new NewLookupBudgets(config.httpNewLookupsPerSecond(), registry, System::nanoTime))),
                observedHere ? Optional.of(new HealthEndpoint(state, sources, sharedCache, controls::configHash, json)) : Optional.empty(),
                observedHere ? Optional.of(new MetricsEndpoint(prometheus)) : Optional.empty(), json);
        return new HttpServer(config.httpListen(), config.idleTimeout(), endpoints, loops);
    }

    @Singleton
    @Named(HttpServer.METRICS)
    @Bean(preDestroy = "close")
    @Requires(condition = MetricsListenSet.class)
    HttpServer metricsServer(AgentConfig config, AgentState state, SourceHealth sources, Optional<SharedCache> sharedCache,
                             PrometheusMeterRegistry prometheus, ObjectMapper json, PolicyEventLoops loops, LiveControls controls) {
        HttpEndpoints endpoints = new HttpEndpoints(Optional.empty(), Optional.of(new HealthEndpoint(state, sources, sharedCache,
                controls::configHash, json)), Optional.of(new MetricsEndpoint(prometheus)), json);
        return new HttpServer(config.metricsListen().orElseThrow(), config.idleTimeout(), endpoints, loops);
    }
}
