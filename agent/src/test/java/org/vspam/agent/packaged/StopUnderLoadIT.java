package org.vspam.agent.packaged;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.vspam.agent.testing.FakeVspamApi;
import org.vspam.agent.testing.PackagedAgent;
import org.vspam.agent.testing.PolicyClient;
import org.vspam.agent.testing.TestPki;
import org.vspam.agent.testing.ThreatFixtures;

/**
 * SIGTERM to the packaged jar while Postfix's connections wait for answers from a slow API: every
 * request already received is answered for real, then the agent exits 0, its socket removed and its
 * cache written.
 */
@Timeout(120)
class StopUnderLoadIT {
    private static final String REJECT = "action=550 Message rejected: sender listed in vspam.org (phishing)";
    private static final int CONNECTIONS = 20;

    @Test
    void everyRequestInFlightIsAnsweredAndTheStopIsClean(@TempDir Path dir) throws Exception {
        TestPki pki = TestPki.create("vspam stop test CA");
        Path socket = dir.resolve("run/agent.sock");
        Path cache = dir.resolve("cache.db");
        try (FakeVspamApi api = FakeVspamApi.https(pki.issue("localhost"))) {
            int warmLookups = 2;
            PackagedAgent agent = PackagedAgent.serve(dir, "agent", """
                    api_url: %s
                    api_ca_file: %s
                    listen: unix:%s
                    cache_path: %s
                    dnsbl_enabled: false
                    decision_timeout: 4s
                    shutdown_timeout: 5s
                    """.formatted(api.baseUrl(), pki.writeCa(dir.resolve("ca.pem")), socket, cache));
            assertThat(agent.alive()).as(agent.log()).isTrue();
            try (PolicyClient warm = PolicyClient.unix(socket)) {
                assertThat(warm.ask("warm@" + ThreatFixtures.CLEAN, ThreatFixtures.CLEAN_IP)).isEqualTo("action=DUNNO"); // TLS is up
            }
            api.mode(FakeVspamApi.Mode.SLOW);

            List<PolicyClient> postfix = new ArrayList<>();
            List<String> expected = new ArrayList<>();
            try {
                for (int i = 0; i < CONNECTIONS; i++) {
                    PolicyClient client = PolicyClient.unix(socket);
                    postfix.add(client);
                    boolean listed = i % 2 == 0;
                    client.send(PolicyClient.request("user" + i + "@" + (listed ? ThreatFixtures.PHISH : i + "." + ThreatFixtures.CLEAN),
                            ThreatFixtures.CLEAN_IP));
                    expected.add(listed ? REJECT : "action=DUNNO");
                }
                // asked (the listed sender once, each clean one), not yet answered
                await().atMost(Duration.ofSeconds(5)).until(() -> api.lookups() >= warmLookups + CONNECTIONS / 2);
                agent.terminate();
                for (int i = 0; i < CONNECTIONS; i++) {
                    assertThat(postfix.get(i).readAnswer()).as("connection %d: %s", i, agent.log()).isEqualTo(expected.get(i));
                }
            } finally {
                for (PolicyClient client : postfix) {
                    client.close();
                }
            }
            assertThat(agent.exitStatus()).as(agent.log()).isZero();
            assertThat(socket).doesNotExist();
            assertThat(Files.readString(cache)).contains("\"" + ThreatFixtures.PHISH + "\"");
            assertThat(agent.log()).contains("vspam-agent stopping").doesNotContain("Exception").doesNotContain("still had undecided");
        }
    }
}
