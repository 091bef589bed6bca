package org.vspam.agent.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.vspam.agent.Agent;
import org.vspam.agent.testing.AgentHarness;
import org.vspam.agent.testing.FakeVspamApi;
import org.vspam.agent.testing.PolicyClient;
import org.vspam.agent.testing.Ports;
import org.vspam.agent.testing.ThreatFixtures;

/**
 * A stop goes on reading the open connections: a request sent after the drain began, while an
 * earlier one is still being decided, is answered too, and only then, once the connection is quiet,
 * does the agent close it.
 */
@Timeout(60)
class DrainTest {

    @Test
    void aRequestSentWhileTheAgentStopsIsAnsweredBeforeTheConnectionCloses() throws Exception {
        try (FakeVspamApi api = new FakeVspamApi()) {
            Agent agent = AgentHarness.start("api_url: " + api.baseUrl() + "\ndnsbl_enabled: false\ncache_path: \"\"\n"
                    + "listen: tcp://127.0.0.1:0\ndecision_timeout: 3s\nshutdown_timeout: 10s\n");
            int port = agent.policyServer().port();
            try (PolicyClient postfix = PolicyClient.tcp(port)) {
                assertThat(postfix.ask("a@" + ThreatFixtures.PHISH, ThreatFixtures.CLEAN_IP)).startsWith("action=550"); // now cached
                api.slow(Duration.ofMillis(1500));
                postfix.send(PolicyClient.request("b@never-seen.example.org", ThreatFixtures.CLEAN_IP)); // waits for the slow API

                CompletableFuture<Void> stopping = CompletableFuture.runAsync(agent::close);
                await().atMost(Duration.ofSeconds(5)).until(() -> !Ports.accepting(port)); // the drain has begun
                await().pollDelay(Duration.ofMillis(200)).until(() -> true); // and reached this connection
                postfix.send(PolicyClient.request("c@" + ThreatFixtures.PHISH, ThreatFixtures.CLEAN_IP)); // sent during the drain

                assertThat(postfix.readAnswer()).isEqualTo("action=DUNNO");
                assertThat(postfix.readAnswer()).as("the request sent during the drain").startsWith("action=550");
                assertThat(postfix.closedByServer()).as("closed once quiet").isTrue();
                stopping.get();
            }
        }
    }
}
