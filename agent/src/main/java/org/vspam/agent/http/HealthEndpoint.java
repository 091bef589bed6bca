package org.vspam.agent.http;

import io.micronaut.serde.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.vspam.agent.AgentState;
import org.vspam.agent.lookup.Source;
import org.vspam.agent.observe.SourceHealth;
import org.vspam.agent.shared.SharedCache;

/**
 * {@code GET /health}: 200 while the listeners serve; 503 while starting or draining. The body also
 * says how each source is doing ({@code "sources"}), but a failing source never makes it 503: the
 * agent fails open, so taking it out of service would only stop it from answering at all. And which
 * configuration is in force ({@code "config"}, the digest of its live settings), which tells whether a
 * change has reached this agent.
 */
final class HealthEndpoint {
    private final AgentState state;
    private final SourceHealth sources;
    private final Optional<SharedCache> sharedCache;
    private final Supplier<String> configHash;
    private final ObjectMapper json;

    HealthEndpoint(AgentState state, SourceHealth sources, Optional<SharedCache> sharedCache, Supplier<String> configHash, ObjectMapper json) {
        this.state = state;
        this.sources = sources;
        this.sharedCache = sharedCache;
        this.configHash = configHash;
        this.json = json;
    }

    HttpAnswer health() {
        AgentState.Phase phase = state.phase();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", phase == AgentState.Phase.SERVING ? "ok" : phase.name().toLowerCase(Locale.ROOT));
        body.put("config", configHash.get());
        body.put("sources", sources());
        return HttpAnswer.json(phase == AgentState.Phase.SERVING ? 200 : 503, body, json);
    }

    private Map<String, Object> sources() {
        Map<String, Object> all = new LinkedHashMap<>();
        sharedCache.ifPresent(shared -> all.put(Source.SHARED_CACHE.label(),
                Map.of("state", (shared.available() ? SourceHealth.State.UP : SourceHealth.State.FAILING).label())));
        sources.statuses().forEach((source, status) -> {
            Map<String, String> shown = new LinkedHashMap<>();
            shown.put("state", status.state().label());
            if (!status.problem().isEmpty()) {
                shown.put("problem", status.problem());
            }
            all.put(source.label(), shown);
        });
        return all;
    }
}
