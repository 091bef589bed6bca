package org.vspam.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.vspam.agent.testing.AgentHarness;

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

    @Test
    void withHttpDisabledNothingListensOnTheHttpPort() throws Exception {
        try (Agent agent = AgentHarness.start("api_url: \"\"\ndnsbl_enabled: false\ncache_path: \"\"\nlisten: tcp://127.0.0.1:0\n")) {
            assertThat(agent.httpPort()).isEqualTo(-1);
            assertThat(agent.context().getBean(AgentState.class).phase()).isEqualTo(AgentState.Phase.SERVING);
        }
    }
}
