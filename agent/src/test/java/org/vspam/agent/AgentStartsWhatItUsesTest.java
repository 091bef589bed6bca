package org.vspam.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.vspam.agent.http.HttpServer;
import org.vspam.agent.shared.SharedCache;
import org.vspam.agent.testing.AgentHarness;
import org.vspam.agent.testing.FakeVspamApi;

/** What an agent starts is what its configuration uses: no HTTP listener without http_enabled, no API client without api_url. */
@Timeout(60)
class AgentStartsWhatItUsesTest {

    @Test
    void aPolicyOnlyAgentHasNoHttpListenerNoApiClientAndNoRedisClient() throws Exception {
        try (Agent agent = AgentHarness.start("api_url: \"\"\ndnsbl_enabled: false\ncache_path: \"\"\nlisten: tcp://127.0.0.1:0\n")) {
            assertThat(agent.context().getActiveBeanRegistrations(HttpServer.class)).as("HTTP listeners").isEmpty();
            assertThat(agent.context().getActiveBeanRegistrations(HttpClient.class)).as("API clients built").isEmpty();
            assertThat(agent.context().getActiveBeanRegistrations(SharedCache.class)).as("Redis clients").isEmpty();
        }
    }

    @Test
    void theHttpApiAndTheApiClientComeWithTheirSettings() throws Exception {
        try (FakeVspamApi api = new FakeVspamApi();
             Agent agent = AgentHarness.start("api_url: " + api.baseUrl() + "\ndnsbl_enabled: false\ncache_path: \"\"\n"
                     + "listen: tcp://127.0.0.1:0\nhttp_enabled: true\nhttp_listen: 127.0.0.1:0\n")) {
            assertThat(agent.context().getActiveBeanRegistrations(HttpServer.class)).as("HTTP listeners").hasSize(1);
            assertThat(agent.context().getActiveBeanRegistrations(HttpClient.class)).as("API clients built").hasSize(1);
        }
    }
}
