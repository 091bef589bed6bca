package org.vspam.agent.shared;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.vspam.agent.Agent;
import org.vspam.agent.indicator.Indicator;
import org.vspam.agent.lookup.Lookup;
import org.vspam.agent.testing.AgentHarness;
import org.vspam.agent.testing.Commands;
import org.vspam.agent.testing.FakeVspamApi;
import org.vspam.agent.testing.PolicyClient;
import org.vspam.agent.testing.RedisCluster;
import org.vspam.agent.testing.ThreatFixtures;

/**
 * The shared cache on a real Redis Cluster (three masters, three replicas): two agents on
 * {@code redis-cluster://} share verdicts whose keys spread over the masters, go on finding them while
 * a slot moves to another master under traffic (MOVED and ASK), and again after a master is killed
 * and its replica promoted.
 */
@Timeout(180)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RedisClusterTest {
    private static final String REJECT = "action=550 Message rejected: sender listed in vspam.org (phishing)";
    private static final List<String> LISTED = new ArrayList<>();
    private static Path dir;
    private static FakeVspamApi api;
    private static RedisCluster cluster;
    private static Agent first;
    private static Agent second;

    @BeforeAll
    static void start() throws Exception {
        dir = Files.createTempDirectory("vspam-redis-cluster");
        api = new FakeVspamApi();
        for (int i = 0; i < 12; i++) {
            LISTED.add("phish" + i + ".cluster.example.net");
            api.list(LISTED.getLast(), "phishing_url", "domain");
        }
        cluster = RedisCluster.start(dir);
        String yaml = AgentHarness.sharedCacheYaml(api, cluster.url());
        first = AgentHarness.start(yaml);
        second = AgentHarness.start(yaml);
        await().atMost(Duration.ofSeconds(10)).until(() -> AgentHarness.sharedCacheUp(first) == 1 && AgentHarness.sharedCacheUp(second) == 1);
    }

    @AfterAll
    static void stop() throws Exception {
        for (AutoCloseable closing : new AutoCloseable[] {first, second, cluster, api}) {
            if (closing != null) {
                closing.close();
            }
        }
        Commands.run(List.of("rm", "-rf", dir.toString()));
    }

    @Test
    @Order(1)
    void agentsShareVerdictsWhoseKeysSpreadOverTheMasters() throws Exception {
        try (PolicyClient postfix = PolicyClient.tcp(first.policyServer().port())) {
            for (String domain : LISTED) {
                assertThat(postfix.ask("a@" + domain, ThreatFixtures.CLEAN_IP)).isEqualTo(REJECT);
            }
        }
        for (String domain : LISTED) {
            await().atMost(Duration.ofSeconds(5)).until(() -> inRedis(second, domain));
        }
        Set<Integer> masters = new HashSet<>();
        for (String domain : LISTED) {
            masters.add(cluster.masterOf(key(domain), cluster.ports().getFirst()));
        }
        assertThat(masters).as("the masters holding the verdicts").hasSizeGreaterThan(1);

        int before = api.lookups();
        try (PolicyClient postfix = PolicyClient.tcp(second.policyServer().port())) {
            for (String domain : LISTED) {
                assertThat(postfix.ask("b@" + domain, "192.0.2.77")).isEqualTo(REJECT);
            }
        }
        assertThat(api.requests().subList(before, api.requests().size())).as("the second agent found them in the cluster")
                .noneMatch(request -> LISTED.stream().anyMatch(domain -> request.path().contains(FakeVspamApi.sha256(domain))));

        // the shared tier's own latency on this cluster, as the agent asks it
        SharedCache shared = second.context().getBean(SharedCache.class);
        List<Long> nanos = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            long started = System.nanoTime();
            assertThat(shared.lookup(Indicator.domain(LISTED.get(i % LISTED.size()))).get()).isInstanceOf(Lookup.Answered.class);
            nanos.add(System.nanoTime() - started);
        }
        Collections.sort(nanos);
        System.out.printf("[cluster] shared tier lookups: p50 %.3f ms, p99 %.3f ms%n", nanos.get(1_000) / 1e6, nanos.get(1_980) / 1e6);
    }

    @Test
    @Order(2)
    void aSlotMovedToAnotherMasterUnderTrafficIsFollowed() throws Exception {
        String domain = LISTED.getFirst();
        String key = key(domain);
        int seed = cluster.ports().getFirst();
        int from = cluster.masterOf(key, seed);
        int to = cluster.ports().stream().filter(port -> {
            try {
                return port != from && cluster.cli(port, "role").startsWith("master");
            } catch (Exception e) {
                return false;
            }
        }).findFirst().orElseThrow();
        AtomicBoolean moving = new AtomicBoolean(true);
        AtomicInteger answered = new AtomicInteger();
        List<String> misses = Collections.synchronizedList(new ArrayList<>());
        SharedCache shared = second.context().getBean(SharedCache.class);
        CompletableFuture<Void> traffic = CompletableFuture.runAsync(() -> {
            while (moving.get()) {
                try {
                    Lookup lookup = shared.lookup(Indicator.domain(domain)).get();
                    if (lookup instanceof Lookup.Answered) {
                        answered.incrementAndGet();
                    } else {
                        misses.add(lookup.toString());
                    }
                } catch (Exception e) {
                    misses.add(e.toString());
                }
            }
        });
        try {
            moveSlot(key, from, to);
            await("the slot served by " + to).atMost(Duration.ofSeconds(10)).until(() -> cluster.masterOf(key, seed) == to);
            int afterMove = answered.get();
            await("lookups answered after the move").atMost(Duration.ofSeconds(10)).until(() -> answered.get() > afterMove + 100);
        } finally {
            moving.set(false);
            traffic.get();
        }
        assertThat(misses).as("lookups not answered while the slot moved").isEmpty();
    }

    @Test
    @Order(3)
    void afterAMasterIsKilledItsReplicaTakesOverAndVerdictsAreSharedAgain() throws Exception {
        String domain = LISTED.get(1);
        int seed = cluster.ports().getFirst();
        int master = cluster.masterOf(key(domain), seed);
        int asked = cluster.ports().stream().filter(port -> port != master).findFirst().orElseThrow();
        cluster.kill(master);
        try {
            await("a replica promoted").atMost(Duration.ofSeconds(30)).ignoreExceptions()
                    .until(() -> cluster.masterOf(key(domain), asked) != master && cluster.cli(asked, "cluster", "info").contains("cluster_state:ok"));
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("no replica took over from " + master + "\n" + cluster.diagnosis(), e);
        }
        long promoted = System.nanoTime();
        await("the verdict found again").atMost(Duration.ofSeconds(40)).until(() -> inRedis(second, domain));
        System.out.printf("[cluster] verdicts on the failed master's slots found again %d ms after the promotion%n",
                Duration.ofNanos(System.nanoTime() - promoted).toMillis());

        // a verdict learnt now is shared through the new master too
        String late = "late-phish.cluster.example.net";
        api.list(late, "phishing_url", "domain");
        try (PolicyClient postfix = PolicyClient.tcp(first.policyServer().port())) {
            assertThat(postfix.ask("a@" + late, ThreatFixtures.CLEAN_IP)).isEqualTo(REJECT);
            assertThat(postfix.ask("someone@clean.cluster.example.org", ThreatFixtures.CLEAN_IP)).isEqualTo("action=DUNNO");
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> inRedis(second, late));
    }

    /** Moves {@code key}'s slot from one master to another as {@code redis-cli --cluster reshard} does, key by key. */
    private static void moveSlot(String key, int from, int to) throws Exception {
        int seed = cluster.ports().getFirst();
        String slot = cluster.cli(seed, "cluster", "keyslot", key).strip();
        String fromId = cluster.cli(from, "cluster", "myid").strip();
        String toId = cluster.cli(to, "cluster", "myid").strip();
        cluster.cli(to, "cluster", "setslot", slot, "importing", fromId);
        cluster.cli(from, "cluster", "setslot", slot, "migrating", toId);
        for (String moving : cluster.cli(from, "cluster", "getkeysinslot", slot, "100").lines().filter(line -> !line.isBlank()).toList()) {
            cluster.cli(from, "migrate", "127.0.0.1", String.valueOf(to), moving, "0", "5000");
        }
        for (int port : cluster.ports()) {
            if (cluster.cli(port, "role").startsWith("master")) {
                cluster.cli(port, "cluster", "setslot", slot, "node", toId);
            }
        }
    }

    private static String key(String domain) {
        return first.context().getBean(SharedCache.class).keyOf(Indicator.domain(domain));
    }

    private static boolean inRedis(Agent agent, String domain) throws Exception {
        return agent.context().getBean(SharedCache.class).lookup(Indicator.domain(domain)).get() instanceof Lookup.Answered;
    }

}
