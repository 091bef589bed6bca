package org.vspam.agent.http;

import io.micronaut.serde.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The paths one HTTP listener serves, each answered by its endpoint, and the JSON its own errors are
 * written in. {@code http_listen} serves {@code /check}, and {@code /health} and {@code /metrics} too
 * unless {@code metrics_listen} gives them a listener of their own (which then serves only them).
 */
record HttpEndpoints(Optional<CheckEndpoint> check, Optional<HealthEndpoint> health, Optional<MetricsEndpoint> metrics, ObjectMapper json) {

    /** What a 404 names: the paths this listener does serve. */
    String served() {
        List<String> paths = new ArrayList<>();
        check.ifPresent(endpoint -> paths.add("/check"));
        health.ifPresent(endpoint -> paths.add("/health"));
        metrics.ifPresent(endpoint -> paths.add("/metrics"));
        return paths.size() == 1 ? paths.getFirst()
                : String.join(", ", paths.subList(0, paths.size() - 1)) + " and " + paths.getLast();
    }
}
