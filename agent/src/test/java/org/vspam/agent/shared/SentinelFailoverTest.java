package org.vspam.agent.shared;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.vspam.agent.Agent;
import org.vspam.agent.indicator.Indicator;
import org.vspam.agent.lookup.Lookup;
import org.vspam.agent.lookup.Source;
import org.vspam.agent.testing.AgentHarness;
import org.vspam.agent.testing.FakeVspamApi;
import io.lettuce.core.protocol.ConnectionWatchdog;
import org.vspam.agent.testing.LogCapture;
import org.vspam.agent.testing.PolicyClient;
import org.vspam.agent.testing.RedisSentinel;
import org.vspam.agent.testing.RedisServer;
import org.vspam.agent.testing.ThreatFixtures;

/**
 * The shared cache behind real Redis Sentinels (a master, a replica, three sentinels, Debian's
 * redis-server): agents on {@code redis-sentinel://} share verdicts, say nothing alarming at a clean
 * start, and after the master is killed and the replica promoted share verdicts again through the new
 * master, each with one line for the outage and one for the recovery, refusing nothing wrongly meanwhile.
 */
@Timeout(120)
class SentinelFailoverTest {
    private static final String REJECT = "action=550 Message rejected: sender listed in vspam.org (phishing)";

    @Test
    void agentsShareVerdictsThroughTheMasterSentinelsNameBeforeAndAfterAFailover(@TempDir Path dir) throws Exception {
        try (FakeVspamApi api = new FakeVspamApi(); RedisServer master = RedisServer.start(); RedisServer replica = RedisServer.startReplicaOf(master);
             LogCapture log = LogCapture.of(SharedCache.class); LogCapture lettuce = LogCapture.of(ConnectionWatchdog.class)) {
            List<RedisSentinel> sentinels = new ArrayList<>();
            try {
                for (int i = 0; i < 3; i++) {
                    sentinels.add(RedisSentinel.start(master, 2, dir));
                }
                api.list("phish-before.example.net", "phishing_url", "domain");
                api.list("phish-after.example.net", "phishing_url", "domain");
                String yaml = AgentHarness.sharedCacheYaml(api, RedisSentinel.url(sentinels));
                try (Agent first = AgentHarness.start(yaml); Agent second = AgentHarness.start(yaml)) {
                    await().atMost(Duration.ofSeconds(10)).until(() -> AgentHarness.sharedCacheUp(first) == 1 && AgentHarness.sharedCacheUp(second) == 1);
                    assertThat(log.lines()).as("a clean start: connected, nothing lost").hasSize(2)
                            .allMatch(line -> line.startsWith("INFO shared cache connected: redis-sentinel://"));
                    sharedBetween(first, second, "phish-before.example.net", api);

                    master.kill();
                    await("the sentinels promote the replica").atMost(Duration.ofSeconds(30)).ignoreExceptions()
                            .until(() -> sentinels.getFirst().masterPort() == replica.port());
                    // meanwhile and after: a clean sender is never refused, a listed one always is
                    try (PolicyClient postfix = PolicyClient.tcp(first.policyServer().port())) {
                        assertThat(postfix.ask("someone@clean.example.org", ThreatFixtures.CLEAN_IP)).isEqualTo("action=DUNNO");
                        assertThat(postfix.ask("a@phish-before.example.net", ThreatFixtures.CLEAN_IP)).isEqualTo(REJECT);
                    }
                    long failedOver = System.nanoTime();
                    await("both agents on the new master").atMost(Duration.ofSeconds(40))
                            .until(() -> AgentHarness.sharedCacheUp(first) == 1 && AgentHarness.sharedCacheUp(second) == 1
                                    && answersFromRedis(first) && answersFromRedis(second));
                    System.out.printf("[sentinel] both agents shared verdicts again %d ms after the promotion%n",
                            Duration.ofNanos(System.nanoTime() - failedOver).toMillis());
                    sharedBetween(first, second, "phish-after.example.net", api);

                    List<String> lines = log.lines().subList(2, log.lines().size());
                    assertThat(lines.stream().filter(line -> line.startsWith("WARN shared cache redis-sentinel://")
                            && line.contains(" unavailable ("))).as(String.join("\n", lines)).hasSize(2);
                    assertThat(lines.stream().filter(line -> line.startsWith("INFO shared cache connected: "))).as(String.join("\n", lines)).hasSize(2);
                    // the agent's one line about the outage is the one to read; Lettuce's own reconnection warnings are debug
                    assertThat(lettuce.lines()).as("Lettuce's reconnection log").noneMatch(line -> line.startsWith("WARN") || line.startsWith("INFO"));
                }
            } finally {
                for (RedisSentinel sentinel : sentinels) {
                    sentinel.close();
                }
            }
        }
    }

    /** {@code first} learns the listing from the API; {@code second} then answers it from Redis, without the API. */
    private static void sharedBetween(Agent first, Agent second, String listed, FakeVspamApi api) throws Exception {
        try (PolicyClient postfix = PolicyClient.tcp(first.policyServer().port())) {
            assertThat(postfix.ask("a@" + listed, ThreatFixtures.CLEAN_IP)).isEqualTo(REJECT);
        }
        await().atMost(Duration.ofSeconds(5)).until(() ->
                first.context().getBean(SharedCache.class).lookup(Indicator.domain(listed)).get() instanceof Lookup.Answered);
        int before = api.lookups();
        try (PolicyClient postfix = PolicyClient.tcp(second.policyServer().port())) {
            assertThat(postfix.ask("b@" + listed, "192.0.2.77")).isEqualTo(REJECT);
        }
        assertThat(api.requests().subList(before, api.requests().size())).as("the second agent found " + listed + " in Redis")
                .noneMatch(request -> request.path().contains(FakeVspamApi.sha256(listed)));
    }

    /** Redis answers the agent's lookup (a miss is an answer too), instead of an error. */
    private static boolean answersFromRedis(Agent agent) throws Exception {
        Lookup lookup = agent.context().getBean(SharedCache.class).lookup(Indicator.domain("never-listed.example")).get();
        return lookup instanceof Lookup.Skipped skipped && skipped.reason() == Lookup.Reason.MISS;
    }

}
