package org.vspam.agent.shared;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.lettuce.core.api.StatefulRedisConnection;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;
import org.vspam.agent.Agent;
import org.vspam.agent.cache.CachedVerdict;
import org.vspam.agent.cache.Finding;
import org.vspam.agent.indicator.Indicator;
import org.vspam.agent.lookup.Lookup;
import org.vspam.agent.lookup.Source;
import org.vspam.agent.testing.AgentHarness;
import org.vspam.agent.testing.FakeVspamApi;
import org.vspam.agent.testing.PolicyClient;
import org.junit.jupiter.api.io.TempDir;
import java.nio.file.Path;
import org.vspam.agent.testing.TestPki;
import org.vspam.agent.testing.LogCapture;
import org.vspam.agent.testing.RedisServer;
import org.vspam.agent.testing.ThreatFixtures;
import org.vspam.config.AgentConfigLoader;
import org.vspam.config.ConfigException;

/** Two tiers against a real Redis server: sharing, TTLs, outages, recovery. */
@Timeout(120)
class SharedCacheTest {
    private static final String REJECT = "action=550 Message rejected: sender listed in vspam.org (phishing)";
    private static FakeVspamApi api;

    @BeforeAll
    static void start() throws Exception {
        api = new FakeVspamApi();
    }

    @AfterAll
    static void stop() {
        api.close();
    }

    private static String yaml(String redisUrl, String cacheTtl) {
        return AgentHarness.sharedCacheYaml(api, redisUrl) + "cache_ttl: %s\nredis_key_prefix: test%d\n".formatted(cacheTtl, System.nanoTime());
    }

    private static double lookups(Agent agent, Source source, String outcome) {
        return agent.context().getBean(MeterRegistry.class).counter("vspam.lookups", "source", source.label(), "outcome", outcome).count();
    }

    /** True once Redis holds a verdict for {@code indicator}, asked through {@code agent}'s own connection (TLS or not). */
    private static boolean storedIn(Agent agent, Indicator indicator) throws Exception {
        return agent.context().getBean(SharedCache.class).lookup(indicator).get() instanceof Lookup.Answered;
    }


    @Test
    void aVerdictOneAgentLearnedIsReadByAnother() throws Exception {
        try (RedisServer redis = RedisServer.start()) {
            String config = yaml(redis.url(), "10m");
            try (Agent first = AgentHarness.start(config); Agent second = AgentHarness.start(config);
                 StatefulRedisConnection<String, String> look = redis.connect()) {
                await().until(() -> AgentHarness.sharedCacheUp(first) == 1 && AgentHarness.sharedCacheUp(second) == 1);
                String domain = "botnet.example.net";
                int before = api.lookups();

                try (PolicyClient postfix = PolicyClient.tcp(first.policyServer().port())) {
                    assertThat(postfix.ask("a@" + domain, ThreatFixtures.CLEAN_IP)).isEqualTo(REJECT);
                }
                String key = config.lines().filter(l -> l.startsWith("redis_key_prefix")).findFirst().orElseThrow().split(": ")[1]
                        + ":v1:d:" + domain;
                await().atMost(Duration.ofSeconds(5)).until(() -> look.sync().get(key) != null);
                assertThat(look.sync().get(key)).as("compact value").hasSizeLessThan(600).contains("\"v\":\"listed\"");
                // The client IP's clean verdict is written back too, but may land after the domain's: the
                // refusal did not wait for it.
                await().atMost(Duration.ofSeconds(5)).until(() -> storedIn(first, Indicator.ip(ThreatFixtures.CLEAN_IP)));

                try (PolicyClient postfix = PolicyClient.tcp(second.policyServer().port())) {
                    assertThat(postfix.ask("b@" + domain, ThreatFixtures.CLEAN_IP)).isEqualTo(REJECT);
                }
                assertThat(api.lookups() - before).as("the domain and the client IP, each asked once, by the first agent only")
                        .isEqualTo(2);
                assertThat(lookups(second, Source.SHARED_CACHE, "listed")).isEqualTo(1);
            }
        }
    }

    @Test
    void redisAnswersArriveOnThePolicyEventLoopNotOnAThreadOfTheirOwn() throws Exception {
        try (RedisServer redis = RedisServer.start(); Agent agent = AgentHarness.start(yaml(redis.url(), "10m"))) {
            await().until(() -> AgentHarness.sharedCacheUp(agent) == 1);
            SharedCache shared = agent.context().getBean(SharedCache.class);

            AtomicReference<String> answeredOn = new AtomicReference<>();
            await().until(() -> {
                String asking = Thread.currentThread().getName();
                String answering = shared.lookup(Indicator.domain("nowhere.example.org"))
                        .thenApply(lookup -> Thread.currentThread().getName()).get(5, TimeUnit.SECONDS);
                if (answering.equals(asking)) {
                    return false; // Redis answered before the callback was attached: ask again
                }
                answeredOn.set(answering);
                return true;
            });

            assertThat(answeredOn.get()).as("the Redis connection lives on the policy server's loop").startsWith("vspam-policy");
        }
    }

    @Test
    void stoppingAnAgentConnectedToRedisLogsNoError() throws Exception {
        ListAppender<ILoggingEvent> logged = new ListAppender<>();
        logged.start();
        Logger root = (Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME);
        root.addAppender(logged);
        try (RedisServer redis = RedisServer.start(); Agent agent = AgentHarness.start(yaml(redis.url(), "10m"))) {
            await().until(() -> AgentHarness.sharedCacheUp(agent) == 1);
        } finally {
            root.detachAppender(logged);
        }

        assertThat(logged.list).as("a normal stop is not an error an operator has to look at")
                .filteredOn(event -> event.getLevel().isGreaterOrEqual(Level.ERROR)).extracting(ILoggingEvent::getFormattedMessage).isEmpty();
    }

    @Test
    void redisTtlFollowsCacheTtlAndPromotionKeepsTheRemainingLifetime() throws Exception {
        try (RedisServer redis = RedisServer.start()) {
            String config = yaml(redis.url(), "30s");
            try (Agent first = AgentHarness.start(config); Agent second = AgentHarness.start(config);
                 StatefulRedisConnection<String, String> look = redis.connect()) {
                await().until(() -> AgentHarness.sharedCacheUp(first) == 1 && AgentHarness.sharedCacheUp(second) == 1);
                Indicator phish = Indicator.domain(ThreatFixtures.TORNODE);
                CachedVerdict learned = ((Finding.Answered) first.cache().lookup(phish).join()).verdict();
                await().atMost(Duration.ofSeconds(5)).until(() -> !look.sync().keys("*:v1:d:" + ThreatFixtures.TORNODE).isEmpty());
                String key = look.sync().keys("*:v1:d:" + ThreatFixtures.TORNODE).getFirst();
                assertThat(look.sync().pttl(key)).isBetween(20_000L, 30_000L);

                CachedVerdict promoted = ((Finding.Answered) second.cache().lookup(phish).join()).verdict();
                assertThat(promoted.origin()).isEqualTo(Source.SHARED_CACHE);
                assertThat(promoted.expiresAtMillis()).as("the remaining lifetime, not a fresh one").isEqualTo(learned.expiresAtMillis());
            }
        }
    }

    @Test
    void aRedisKilledMidStreamCostsNoRequestAndSharingResumesWhenItReturns() throws Exception {
        try (RedisServer redis = RedisServer.start(); Agent agent = AgentHarness.start(yaml(redis.url(), "10m"))) {
            await().until(() -> AgentHarness.sharedCacheUp(agent) == 1);
            AtomicBoolean killed = new AtomicBoolean();
            ExecutorService smtpds = Executors.newFixedThreadPool(8);
            try {
                List<Future<Long>> slowest = new ArrayList<>();
                for (int n = 0; n < 8; n++) {
                    int smtpd = n;
                    slowest.add(smtpds.submit(() -> {
                        long worst = 0;
                        try (PolicyClient postfix = PolicyClient.tcp(agent.policyServer().port())) {
                            for (int i = 0; i < 400; i++) {
                                boolean listed = i % 4 == 0;
                                String domain = listed ? ThreatFixtures.PHISH : "fresh-" + smtpd + "-" + i + ".example.org";
                                long started = System.nanoTime();
                                String answer = postfix.ask("s@" + domain, ThreatFixtures.CLEAN_IP);
                                worst = Math.max(worst, System.nanoTime() - started);
                                assertThat(answer).isEqualTo(listed ? REJECT : "action=DUNNO");
                                if (smtpd == 0 && i == 100) {
                                    redis.kill();
                                    killed.set(true);
                                }
                            }
                        }
                        return worst;
                    }));
                }
                for (Future<Long> worst : slowest) {
                    assertThat(Duration.ofNanos(worst.get())).as("no answer waits on a dead Redis beyond a short bound")
                            .isLessThan(Duration.ofMillis(800));
                }
            } finally {
                smtpds.shutdownNow();
            }
            assertThat(killed).isTrue();
            assertThat(AgentHarness.sharedCacheUp(agent)).isZero();

            redis.startAgain();
            await().atMost(Duration.ofSeconds(40)).until(() -> AgentHarness.sharedCacheUp(agent) == 1);
            try (PolicyClient postfix = PolicyClient.tcp(agent.policyServer().port());
                 StatefulRedisConnection<String, String> look = redis.connect()) {
                postfix.ask("a@" + ThreatFixtures.SPAMMY, ThreatFixtures.CLEAN_IP);
                await().atMost(Duration.ofSeconds(5)).until(() -> !look.sync().keys("*:v1:d:" + ThreatFixtures.SPAMMY).isEmpty());
            }
        }
    }

    @Test
    void aRedisDownAtStartDoesNotStopTheAgentWhichConnectsLaterAndSharesWhatItLearntMeanwhile() throws Exception {
        RedisServer redis = RedisServer.notYetStarted();
        try (Agent agent = AgentHarness.start(yaml(redis.url(), "10m"));
             PolicyClient postfix = PolicyClient.tcp(agent.policyServer().port())) {
            assertThat(postfix.ask("a@" + ThreatFixtures.MALWARE, ThreatFixtures.CLEAN_IP)).isEqualTo(REJECT);
            assertThat(AgentHarness.sharedCacheUp(agent)).isZero();

            redis.startAgain();
            await().atMost(Duration.ofSeconds(40)).until(() -> AgentHarness.sharedCacheUp(agent) == 1);
            assertThat(postfix.ask("a@" + ThreatFixtures.FUTURE, ThreatFixtures.CLEAN_IP)).isEqualTo(REJECT);
            try (StatefulRedisConnection<String, String> look = redis.connect()) {
                await().atMost(Duration.ofSeconds(5)).until(() -> !look.sync().keys("*:v1:d:" + ThreatFixtures.FUTURE).isEmpty());
                assertThat(look.sync().keys("*:v1:d:" + ThreatFixtures.MALWARE)).as("learnt while Redis was down, shared once it is back")
                        .hasSize(1);
            }
        } finally {
            redis.close();
        }
    }

    /** Self-hosted Redis over TLS with a private CA, addressed by name: trusted through redis_ca_file, refused without it. */
    @Test
    void aVerdictIsSharedThroughRedisOverTlsTrustingTheCaFile(@TempDir Path dir) throws Exception {
        TestPki pki = TestPki.create("redis test CA");
        try (RedisServer redis = RedisServer.startTls(pki, dir)) {
            String config = yaml(redis.urlByName(), "10m") + "redis_ca_file: " + dir.resolve("redis-ca.pem") + "\n";
            try (Agent first = AgentHarness.start(config); Agent second = AgentHarness.start(config)) {
                await().until(() -> AgentHarness.sharedCacheUp(first) == 1 && AgentHarness.sharedCacheUp(second) == 1);
                try (PolicyClient postfix = PolicyClient.tcp(first.policyServer().port())) {
                    assertThat(postfix.ask("a@" + ThreatFixtures.MALWARE, ThreatFixtures.CLEAN_IP)).isEqualTo(REJECT);
                }
                // Both verdicts are written back to Redis after the answer (the refusal did not wait for the IP's).
                await().atMost(Duration.ofSeconds(5)).until(() -> storedIn(first, Indicator.domain(ThreatFixtures.MALWARE))
                        && storedIn(first, Indicator.ip(ThreatFixtures.CLEAN_IP)));
                int before = api.lookups();
                await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
                    try (PolicyClient postfix = PolicyClient.tcp(second.policyServer().port())) {
                        assertThat(postfix.ask("b@" + ThreatFixtures.MALWARE, ThreatFixtures.CLEAN_IP)).isEqualTo(REJECT);
                    }
                    assertThat(lookups(second, Source.SHARED_CACHE, "listed")).isEqualTo(1.0);
                });
                assertThat(api.lookups()).as("the second agent asked Redis, not the API").isEqualTo(before);
            }
            try (LogCapture log = LogCapture.of(SharedCache.class); Agent untrusting = AgentHarness.start(yaml(redis.urlByName(), "10m"))) {
                await().atMost(Duration.ofSeconds(10)).until(() -> !log.lines().isEmpty());
                assertThat(AgentHarness.sharedCacheUp(untrusting)).isZero();
                assertThat(log.lines().getFirst()).startsWith("WARN shared cache rediss://localhost:" + redis.port() + "/0 unavailable");
            }
        }
    }

    @Test
    void aBadRedisUrlIsOneClearStartUpErrorThatHidesThePassword() {
        assertThatThrownBy(() -> AgentConfigLoader.parse("redis_url: http://cache.example.net", "agent.yml", java.util.Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("redis_url: (value hidden) is not a Redis URL (expected redis://");
        assertThatThrownBy(() -> AgentConfigLoader.parse("redis_url: redis://:s3cret@cache.example.net:notaport/0", "agent.yml", java.util.Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("redis_url: (value hidden) is not a Redis URL")
                .message().doesNotContain("s3cret");
    }
}
