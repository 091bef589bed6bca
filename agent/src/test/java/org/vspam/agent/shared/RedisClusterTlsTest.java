package org.vspam.agent.shared;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.vspam.agent.Agent;
import org.vspam.agent.indicator.Indicator;
import org.vspam.agent.lookup.Lookup;
import org.vspam.agent.testing.AgentHarness;
import org.vspam.agent.testing.FakeVspamApi;
import org.vspam.agent.testing.LogCapture;
import org.vspam.agent.testing.PolicyClient;
import org.vspam.agent.testing.RedisCluster;
import org.vspam.agent.testing.TestPki;
import org.vspam.agent.testing.ThreatFixtures;

/**
 * A Redis Cluster as managed services run one: TLS only, a password, nodes that give clients their
 * host name. Agents on {@code rediss-cluster://:PASSWORD@…} with {@code redis_ca_file} share verdicts,
 * and the password shows nowhere.
 */
@Timeout(120)
class RedisClusterTlsTest {
    private static final String PASSWORD = "cluster-s3cret-never-shown";

    @Test
    void agentsShareVerdictsThroughATlsClusterWithAPassword(@TempDir Path dir) throws Exception {
        TestPki pki = TestPki.create("redis cluster test CA");
        try (FakeVspamApi api = new FakeVspamApi(); RedisCluster cluster = RedisCluster.startTls(dir, pki, PASSWORD);
             LogCapture log = LogCapture.of(SharedCache.class)) {
            api.list("tls-phish.cluster.example.net", "phishing_url", "domain");
            String yaml = AgentHarness.sharedCacheYaml(api, cluster.url()) + "redis_ca_file: " + dir.resolve("ca.pem") + "\n";
            try (Agent first = AgentHarness.start(yaml); Agent second = AgentHarness.start(yaml)) {
                await().atMost(Duration.ofSeconds(10)).until(() -> AgentHarness.sharedCacheUp(first) == 1 && AgentHarness.sharedCacheUp(second) == 1);
                try (PolicyClient postfix = PolicyClient.tcp(first.policyServer().port())) {
                    assertThat(postfix.ask("a@tls-phish.cluster.example.net", ThreatFixtures.CLEAN_IP)).startsWith("action=550 ");
                }
                await().atMost(Duration.ofSeconds(5)).until(() -> second.context().getBean(SharedCache.class)
                        .lookup(Indicator.domain("tls-phish.cluster.example.net")).get() instanceof Lookup.Answered);
                assertThat(log.lines()).isNotEmpty().allMatch(line -> line.startsWith("INFO shared cache connected: rediss-cluster://localhost:"))
                        .noneMatch(line -> line.contains(PASSWORD));
            }
        }
    }

}
