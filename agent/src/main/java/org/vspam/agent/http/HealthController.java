package org.vspam.agent.http;

import io.micronaut.context.annotation.Requires;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.vspam.agent.AgentState;
import org.vspam.agent.lookup.Source;
import org.vspam.agent.observe.SourceHealth;
import org.vspam.agent.shared.SharedCache;

/**
 * {@code GET /health}: 200 while the listeners serve; 503 while starting or draining. The body also
 * says how each source is doing ({@code "sources"}), but a failing source never makes it 503: the
 * agent fails open, so taking it out of service would only stop it from answering at all.
 */
@Requires(condition = HttpEnabled.class)
@Controller("/health")
final class HealthController {
    private final AgentState state;
    private final SourceHealth sources;
    private final Optional<SharedCache> sharedCache;

    HealthController(AgentState state, SourceHealth sources, Optional<SharedCache> sharedCache) {
        this.state = state;
        this.sources = sources;
        this.sharedCache = sharedCache;
    }

    @Get(produces = MediaType.APPLICATION_JSON)
    HttpResponse<Map<String, Object>> health() {
        AgentState.Phase phase = state.phase();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", phase == AgentState.Phase.SERVING ? "ok" : phase.name().toLowerCase(Locale.ROOT));
        body.put("sources", sources());
        return phase == AgentState.Phase.SERVING ? HttpResponse.ok(body) : HttpResponse.<Map<String, Object>>status(HttpStatus.SERVICE_UNAVAILABLE).body(body);
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
