package org.vspam.agent.http;

import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import java.util.Locale;
import java.util.Map;
import org.vspam.agent.AgentState;

/** {@code GET /health}: 200 while the listeners serve; 503 while starting or draining. */
@Controller("/health")
final class HealthController {
    private final AgentState state;

    HealthController(AgentState state) {
        this.state = state;
    }

    @Get(produces = MediaType.APPLICATION_JSON)
    HttpResponse<Map<String, String>> health() {
        AgentState.Phase phase = state.phase();
        return phase == AgentState.Phase.SERVING
                ? HttpResponse.ok(Map.of("status", "ok"))
                : HttpResponse.<Map<String, String>>status(HttpStatus.SERVICE_UNAVAILABLE).body(Map.of("status", phase.name().toLowerCase(Locale.ROOT)));
    }
}
