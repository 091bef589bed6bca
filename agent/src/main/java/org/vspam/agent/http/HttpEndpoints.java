package org.vspam.agent.http;

import io.micronaut.serde.ObjectMapper;

/** The three paths the HTTP listener serves, each answered by its endpoint, and the JSON its own errors are written in. */
record HttpEndpoints(CheckEndpoint check, HealthEndpoint health, MetricsEndpoint metrics, ObjectMapper json) {
}
