package org.vspam.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.vspam.agent.testing.AgentHarness;
import org.vspam.config.AgentConfigLoader;

/** Health follows the agent's life: 503 before serving and while draining, 200 in between. */
@Timeout(60)
class AgentHealthTest {

    @Test
    void healthIsNot200WhileStartingOrDraining() throws Exception {
        try (Agent agent = AgentHarness.start("api_url: \"\"\ndnsbl_enabled: false\ncache_path: \"\"\nlisten: tcp://127.0.0.1:0\n"
                + "http_enabled: true\nhttp_listen: 127.0.0.1:0\n");
             HttpClient http = HttpClient.newHttpClient()) {
            HttpRequest health = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + agent.httpPort() + "/health")).build();
            assertThat(http.send(health, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);

            AgentState state = agent.context().getBean(AgentState.class);
            state.draining();
            HttpResponse<String> draining = http.send(health, HttpResponse.BodyHandlers.ofString());
            assertThat(draining.statusCode()).isEqualTo(503);
            assertThat(draining.body()).startsWith("{\"status\":\"draining\",");
        }
    }

    /** Which configuration is in force: /health and the metric name the digest the operator computes, and follow a reload. */
    @Test
    void healthAndMetricsNameTheConfigurationInForce() throws Exception {
        String yaml = "api_url: \"\"\ndnsbl_enabled: false\ncache_path: \"\"\nlisten: tcp://127.0.0.1:0\nhttp_enabled: true\nhttp_listen: 127.0.0.1:0\n";
        try (Agent agent = AgentHarness.start(yaml); HttpClient http = HttpClient.newHttpClient()) {
            String first = AgentConfigLoader.parse(yaml, "test", Map.of()).liveHash();
            assertThat(get(http, agent, "/health")).contains("\"config\":\"" + first + "\"");
            assertThat(get(http, agent, "/metrics")).contains("vspam_config_info{hash=\"" + first + "\"} 1");

            String changed = yaml + "allow_senders: [partner.example]\n";
            agent.reload(AgentHarness.config(changed));
            String second = AgentConfigLoader.parse(changed, "test", Map.of()).liveHash();
            assertThat(second).isNotEqualTo(first);
            assertThat(get(http, agent, "/health")).contains("\"config\":\"" + second + "\"");
            assertThat(get(http, agent, "/metrics")).contains("vspam_config_info{hash=\"" + second + "\"} 1").doesNotContain(first);
            assertThat(AgentConfigLoader.parse(yaml.replace("127.0.0.1:0\nhttp", "127.0.0.1:10045\nhttp"), "test", Map.of()).liveHash())
                    .as("a setting that needs a restart is not in it").isEqualTo(first);
        }
    }

    /**
     * metrics_listen: health and metrics on a listener of their own, and only there; /check stays on http_listen
     * (beside Postfix: on loopback, while probes and Prometheus reach the pod's address).
     */
    @Test
    void healthAndMetricsOnAListenerOfTheirOwn() throws Exception {
        String base = "api_url: \"\"\ndnsbl_enabled: false\ncache_path: \"\"\nlisten: tcp://127.0.0.1:0\nmetrics_listen: 127.0.0.1:0\n";
        try (Agent agent = AgentHarness.start(base + "http_enabled: true\nhttp_listen: 127.0.0.1:0\n"); HttpClient http = HttpClient.newHttpClient()) {
            assertThat(status(http, agent.metricsPort(), "/health")).isEqualTo(200);
            assertThat(status(http, agent.metricsPort(), "/metrics")).isEqualTo(200);
            assertThat(status(http, agent.metricsPort(), "/check?sender_domain=example.org")).isEqualTo(404);
            assertThat(status(http, agent.httpPort(), "/check?sender_domain=example.org")).isEqualTo(200);
            assertThat(status(http, agent.httpPort(), "/health")).isEqualTo(404);
            assertThat(status(http, agent.httpPort(), "/metrics")).isEqualTo(404);
        }
        try (Agent agent = AgentHarness.start(base); HttpClient http = HttpClient.newHttpClient()) {
            assertThat(agent.httpPort()).as("no /check without http_enabled").isEqualTo(-1);
            assertThat(status(http, agent.metricsPort(), "/health")).isEqualTo(200);
        }
    }

    private static int status(HttpClient http, int port, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(), HttpResponse.BodyHandlers.discarding())
                .statusCode();
    }

    private static String get(HttpClient http, Agent agent, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + agent.httpPort() + path)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    @Test
    void withHttpDisabledNothingListensOnTheHttpPort() throws Exception {
        try (Agent agent = AgentHarness.start("api_url: \"\"\ndnsbl_enabled: false\ncache_path: \"\"\nlisten: tcp://127.0.0.1:0\n")) {
            assertThat(agent.httpPort()).isEqualTo(-1);
            assertThat(agent.context().getBean(AgentState.class).phase()).isEqualTo(AgentState.Phase.SERVING);
        }
    }
}
