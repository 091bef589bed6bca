package org.vspam.agent.packaged;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.vspam.agent.testing.FakeVspamApi;
import org.vspam.agent.testing.PackagedAgent;
import org.vspam.agent.testing.PolicyClient;
import org.vspam.agent.testing.Ports;
import org.vspam.agent.testing.ThreatFixtures;

/**
 * The packaged agent changing its controls while Postfix's connections stream requests: SIGHUP
 * (a new allow-list in agent.yml) and an edited allow file take effect for the next request on
 * every connection, and no connection is dropped.
 */
@Timeout(180)
class ControlsReloadIT {
    private static final String SENDER = "alice@" + ThreatFixtures.PHISH;
    private static final int CONNECTIONS = 4;

    @TempDir
    Path dir;
    private FakeVspamApi api;
    private PackagedAgent agent;
    private String yaml;
    private Path allowFile;
    private final AtomicBoolean streaming = new AtomicBoolean(true);
    private final AtomicReference<String> latest = new AtomicReference<>("");
    private final AtomicLong answers = new AtomicLong();
    private final ConcurrentLinkedQueue<Throwable> dropped = new ConcurrentLinkedQueue<>();
    private final List<Thread> clients = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        api = new FakeVspamApi();
        int port = Ports.freeTcpPort();
        allowFile = Files.writeString(dir.resolve("allow.txt"), "# nobody yet\n");
        yaml = """
                api_url: %s
                listen: tcp://localhost:%d
                dnsbl_enabled: false
                reporting_enabled: false
                log_level: warn
                allow_file: %s
                """.formatted(api.baseUrl(), port, allowFile);
        // Warnings only: every refusal would be a log line otherwise.
        agent = PackagedAgent.start(dir, "agent", yaml, java.util.Map.of(), "serve");
        await("listening").atMost(Duration.ofSeconds(60)).until(() -> Ports.accepting(port) || !agent.alive());
        for (int i = 0; i < CONNECTIONS; i++) {
            PolicyClient client = PolicyClient.tcp(port);
            clients.add(Thread.ofPlatform().name("postfix-" + i).start(() -> stream(client)));
        }
        await("answers on every connection").until(() -> answers.get() > 1_000);
        assertThat(latest.get()).startsWith("action=550 ");
    }

    /** One smtpd process: a request, its answer, the next, on one connection, until told to stop. */
    private void stream(PolicyClient client) {
        try (client) {
            while (streaming.get()) {
                latest.set(client.ask(SENDER, ThreatFixtures.CLEAN_IP));
                answers.incrementAndGet();
            }
        } catch (Throwable e) {
            dropped.add(e);
        }
    }

    @AfterEach
    void stop() throws Exception {
        streaming.set(false);
        for (Thread client : clients) {
            client.join(10_000);
        }
        agent.close();
        api.close();
    }

    /** Waits until every connection has answered with {@code action} since the change, and returns how long that took. */
    private Duration untilAnswered(String action) {
        long changed = System.nanoTime();
        long before = answers.get();
        await(action).atMost(Duration.ofSeconds(10)).until(() -> latest.get().startsWith(action) && answers.get() > before + CONNECTIONS);
        return Duration.ofNanos(System.nanoTime() - changed);
    }

    @Test
    void aReloadChangesTheAllowListWithoutDroppingAConnection() throws Exception {
        Files.writeString(dir.resolve("agent.yml"), yaml + "allow_senders: [" + ThreatFixtures.PHISH + "]\n");
        agent.signal("HUP");
        Duration applied = untilAnswered("action=DUNNO");
        System.out.println("SIGHUP to the first allowed answer: " + applied.toMillis() + " ms, " + answers.get() + " answers so far");
        assertThat(applied).isLessThan(Duration.ofSeconds(1));

        Files.writeString(dir.resolve("agent.yml"), yaml);
        agent.signal("HUP");
        untilAnswered("action=550 ");
        assertThat(dropped).isEmpty();
        assertThat(agent.alive()).isTrue();
    }

    @Test
    void anEditedAllowFileAppliesWithoutARestartAndABadLineIsOneWarning() throws Exception {
        Files.writeString(allowFile, "# partners\nnot a domain!\n" + ThreatFixtures.PHISH + "\n");
        Duration applied = untilAnswered("action=DUNNO");
        System.out.println("allow file edited to the first allowed answer: " + applied.toMillis() + " ms");
        assertThat(agent.lines("allow_file " + allowFile + ":2: \"not a domain!\", which is not a domain or an address")).isEqualTo(1);

        Files.delete(allowFile);
        await("the warning").until(() -> agent.lines("allow_file " + allowFile + " does not exist; the previous 1 entries stay in force") == 1);
        assertThat(latest.get()).as("the previous list stays").isEqualTo("action=DUNNO");
        assertThat(dropped).isEmpty();
    }
}
