package org.vspam.agent.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.vspam.agent.Agent;
import org.vspam.agent.observe.SourceHealth;
import org.vspam.agent.shared.SharedCache;
import org.vspam.agent.testing.AgentHarness;
import org.vspam.agent.testing.FakeVspamApi;
import org.vspam.agent.testing.LogCapture;
import org.vspam.agent.testing.PolicyClient;
import org.vspam.agent.testing.Rbldnsd;
import org.vspam.agent.testing.RedisServer;
import org.vspam.agent.testing.ThreatFixtures;

/**
 * A stream of never-seen clean senders on 20 persistent connections while every upstream fails in
 * turn: the API answers 500, hangs, sends garbage, drops the connection and crawls; the DNS server
 * of the DNSBL and Redis are killed and started again. Every answer is DUNNO, none comes later
 * than the decision deadline plus half a second, and each outage is one log line, not one per request.
 */
@Timeout(180)
class FaultMatrixTest {
    private static final Duration DEADLINE = Duration.ofSeconds(1);
    private static final Duration PHASE = Duration.ofMillis(2_500);
    private static final int CONNECTIONS = 20;

    @Test
    void cleanMailFlowsOnTimeThroughEveryFault() throws Exception {
        try (FakeVspamApi api = new FakeVspamApi(); Rbldnsd dnsbl = Rbldnsd.start(); RedisServer redis = RedisServer.start();
             LogCapture sources = LogCapture.of(SourceHealth.class); LogCapture shared = LogCapture.of(SharedCache.class);
             Agent agent = AgentHarness.start("""
                     api_url: http://localhost:%d
                     listen: tcp://localhost:0
                     cache_path: ""
                     dnsbl_zone: %s
                     dnsbl_resolvers: ["localhost:%d"]
                     redis_url: %s
                     decision_timeout: 1s
                     """.formatted(api.baseUrl().getPort(), Rbldnsd.ZONE, dnsbl.port(), redis.urlByName()))) {
            AtomicBoolean running = new AtomicBoolean(true);
            AtomicInteger sent = new AtomicInteger();
            AtomicLong slowest = new AtomicLong();
            ConcurrentLinkedQueue<String> wrong = new ConcurrentLinkedQueue<>();
            List<Thread> clients = new ArrayList<>();
            for (int c = 0; c < CONNECTIONS; c++) {
                int connection = c;
                clients.add(Thread.ofVirtual().start(() -> {
                    try (PolicyClient postfix = PolicyClient.tcp(agent.policyServer().port())) {
                        for (int n = 0; running.get(); n++) {
                            long started = System.nanoTime();
                            String answer = postfix.ask("u@c" + connection + "n" + n + "." + ThreatFixtures.CLEAN, ThreatFixtures.CLEAN_IP);
                            slowest.accumulateAndGet(System.nanoTime() - started, Math::max);
                            sent.incrementAndGet();
                            if (!answer.equals("action=DUNNO")) {
                                wrong.add(answer);
                            }
                            LockSupport.parkNanos(5_000_000); // a few hundred requests a second per connection, not a CPU-bound loop
                        }
                    } catch (Exception e) {
                        wrong.add("connection " + connection + " failed: " + e);
                    }
                }));
            }
            phase(); // all up
            api.mode(FakeVspamApi.Mode.SERVER_ERROR);
            dnsbl.kill();
            phase();
            api.mode(FakeVspamApi.Mode.HANG);
            dnsbl.startAgain();
            phase();
            api.mode(FakeVspamApi.Mode.GARBAGE);
            redis.kill();
            phase();
            api.mode(FakeVspamApi.Mode.DROP);
            redis.startAgain();
            phase();
            api.slow(Duration.ofMillis(250)); // slow, but inside the API's half of the deadline
            phase();
            api.mode(FakeVspamApi.Mode.NORMAL);
            phase();
            running.set(false);
            for (Thread client : clients) {
                client.join();
            }

            assertThat(wrong).as("answers other than DUNNO for clean senders").isEmpty();
            assertThat(sent.get()).isGreaterThan(1_000);
            assertThat(Duration.ofNanos(slowest.get())).as("the slowest answer").isLessThan(DEADLINE.plusMillis(500));
            assertThat(count(sources, "vspam.org API", "unavailable")).as(sources.lines().toString()).isEqualTo(1);
            assertThat(count(sources, "vspam.org API", "answers again")).as(sources.lines().toString()).isEqualTo(1);
            assertThat(count(sources, "DNSBL", "unavailable")).as(sources.lines().toString()).isEqualTo(1);
            assertThat(count(sources, "DNSBL", "answers again")).as(sources.lines().toString()).isLessThanOrEqualTo(1);
            // connected at the start; then one line for Redis's outage and one for its end, whichever noticed first: the
            // connection ("unavailable", "connected") or the circuit breaker ("failing or slow", "answers normally again")
            assertThat(shared.lines()).as(shared.lines().toString()).hasSize(3);
            assertThat(shared.lines().getFirst()).contains("shared cache connected");
            assertThat(shared.lines().get(1)).startsWith("WARN");
            assertThat(shared.lines().get(2)).startsWith("INFO");
            System.out.printf("fault matrix: %d requests on %d connections, 0 refused, slowest answer %d ms; log lines: %s%n",
                    sent.get(), CONNECTIONS, Duration.ofNanos(slowest.get()).toMillis(), sources.lines().size() + shared.lines().size());
        }
    }

    /** Lets the stream run through one phase of the matrix. */
    private static void phase() {
        org.awaitility.Awaitility.await().pollDelay(PHASE).atMost(PHASE.plusSeconds(1)).until(() -> true);
    }

    private static long count(LogCapture log, String source, String what) {
        return log.lines().stream().filter(line -> line.contains(source) && line.contains(what)).count();
    }
}
