package org.vspam.agent.http;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/** {@code GET /metrics}: Prometheus text exposition of every agent metric. */
final class MetricsEndpoint {
    static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    private final PrometheusMeterRegistry registry;

    MetricsEndpoint(PrometheusMeterRegistry registry) {
        this.registry = registry;
    }

    HttpAnswer scrape() {
        return HttpAnswer.text(PROMETHEUS_TEXT, registry.scrape());
    }
}
