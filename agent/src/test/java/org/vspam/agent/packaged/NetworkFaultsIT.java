package org.vspam.agent.packaged;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.vspam.agent.testing.Commands;
import org.vspam.agent.testing.FakeVspamApi;
import org.vspam.agent.testing.PackagedAgent;
import org.vspam.agent.testing.PolicyClient;
import org.vspam.agent.testing.TestNetwork;
import org.vspam.agent.testing.ThreatFixtures;
import org.vspam.agent.testing.Tools;

/**
 * Faults that cross a real network path: the packaged agent on a host of its own (a network
 * namespace), the vspam.org API and Redis on another, joined by a veth link; by name, as users write
 * them. Under 20 persistent connections of known and new senders the link loses 5% and 30% of the
 * packets, then nothing passes, then it flaps, then Redis alone is cut off, twice over. Throughout, a
 * sender listed before the faults is refused, everything else is answered DUNNO within the deadline,
 * each outage is one line and each recovery one, and afterwards the agent holds no more threads or
 * files than before.
 */
@Timeout(240)
class NetworkFaultsIT {
    private static final Duration DECISION_TIMEOUT = Duration.ofMillis(500);
    private static final String REJECT = "action=550 Message rejected: sender listed in vspam.org (phishing)";
    private static final int CONNECTIONS = 20;
    private static final String API = "SourceHealth: vspam.org API";
    private static final String REDIS = "SharedCache: shared cache";

    @Test
    void knownVerdictsHoldAndEverythingIsAnsweredInTimeThroughLossBlackholeFlappingAndARedisCut() throws Exception {
        Tools.require("socat", "apt-get install socat");
        Path dir = Files.createTempDirectory(Path.of("/var/tmp"), "vspam-network-");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        List<Process> servers = new ArrayList<>();
        try (FakeVspamApi api = new FakeVspamApi(); TestNetwork network = TestNetwork.create("api.vspam.test", "redis.vspam.test")) {
            // The API listens in this JVM; socat carries it to the servers' host through a unix socket.
            Path bridge = dir.resolve("api.sock");
            servers.add(start(dir, "api-bridge-host", List.of("socat", "UNIX-LISTEN:" + bridge + ",fork,reuseaddr",
                    "TCP:127.0.0.1:" + api.baseUrl().getPort())));
            await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(bridge));
            List<String> apiOnServers = new ArrayList<>(network.onServers());
            apiOnServers.addAll(List.of("socat", "TCP-LISTEN:8080,bind=" + TestNetwork.SERVER_ADDRESS + ",fork,reuseaddr", "UNIX-CONNECT:" + bridge));
            servers.add(start(dir, "api-bridge-servers", apiOnServers));
            List<String> redis = new ArrayList<>(network.onServers());
            redis.addAll(List.of("redis-server", "--bind", TestNetwork.SERVER_ADDRESS, "--port", "6379", "--dir", dir.toString(),
                    "--save", "", "--appendonly", "no", "--protected-mode", "no"));
            servers.add(start(dir, "redis", redis));

            Path socket = dir.resolve("agent.sock");
            String yaml = """
                    api_url: http://api.vspam.test:8080
                    redis_url: redis://redis.vspam.test:6379/0
                    dnsbl_enabled: false
                    listen: unix:%s
                    socket_mode: "0666"
                    cache_path: ""
                    decision_timeout: %dms
                    """.formatted(socket, DECISION_TIMEOUT.toMillis());
            PackagedAgent agent = PackagedAgent.start(network.onAgent(), dir, "agent", yaml, Map.of(), "serve");
            try {
                await("the agent ready and connected").atMost(Duration.ofSeconds(60))
                        .until(() -> agent.log().contains("shared cache connected") && agent.log().contains(" ready: policy ") || !agent.alive());
                try (PolicyClient postfix = PolicyClient.unix(socket)) {
                    assertThat(postfix.ask("a@" + ThreatFixtures.PHISH, ThreatFixtures.CLEAN_IP)).isEqualTo(REJECT);
                }

                AtomicBoolean running = new AtomicBoolean(true);
                AtomicInteger sent = new AtomicInteger();
                List<String> wrong = Collections.synchronizedList(new ArrayList<>());
                List<Long> nanos = Collections.synchronizedList(new ArrayList<>());
                List<Thread> clients = new ArrayList<>();
                for (int c = 0; c < CONNECTIONS; c++) {
                    int connection = c;
                    clients.add(Thread.ofPlatform().name("smtpd-" + c).start(() -> {
                        try (PolicyClient postfix = PolicyClient.unix(socket)) {
                            for (int i = 0; running.get(); i++) {
                                boolean known = i % 4 == 0;
                                String sender = known ? "a@" + ThreatFixtures.PHISH : "s@new-" + connection + "-" + i + ".example.org";
                                long started = System.nanoTime();
                                String answer = postfix.ask(sender, ThreatFixtures.CLEAN_IP);
                                nanos.add(System.nanoTime() - started);
                                sent.incrementAndGet();
                                if (!answer.equals(known ? REJECT : "action=DUNNO")) {
                                    wrong.add(sender + " -> " + answer);
                                }
                            }
                        } catch (Exception e) {
                            wrong.add("connection " + connection + ": " + e);
                        }
                    }));
                }
                // where it starts: under the load, before any fault
                phase(Duration.ofSeconds(3));
                int threads = threads(agent);
                int files = files(agent);
                for (int cycle = 0; cycle < 2; cycle++) {
                    phase(Duration.ofSeconds(2));
                    network.loss(0.05);
                    phase(Duration.ofSeconds(3));
                    network.loss(0.3);
                    phase(Duration.ofSeconds(3));
                    network.loss(1);
                    phase(Duration.ofSeconds(6));
                    network.heal();
                    for (int flap = 0; flap < 2; flap++) {
                        network.link(false);
                        phase(Duration.ofSeconds(2));
                        network.link(true);
                        phase(Duration.ofSeconds(2));
                    }
                    network.cut(6379);
                    phase(Duration.ofSeconds(4));
                    network.heal();
                    await("both sources back").atMost(Duration.ofSeconds(40)).until(() ->
                            states(agent, REDIS).getLast().startsWith("INFO") && states(agent, API).getLast().startsWith("INFO"));
                }
                phase(Duration.ofSeconds(3));
                int threadsAfter = threads(agent);
                int filesAfter = files(agent);
                running.set(false);
                for (Thread client : clients) {
                    client.join();
                }

                assertThat(wrong).as("answers other than the right one").isEmpty();
                assertThat(sent.get()).isGreaterThan(2_000);
                List<Long> sorted = new ArrayList<>(nanos);
                Collections.sort(sorted);
                Duration p99 = Duration.ofNanos(sorted.get(sorted.size() * 99 / 100));
                assertThat(p99).as("p99").isLessThanOrEqualTo(DECISION_TIMEOUT.plusMillis(50));
                for (String source : List.of(REDIS, API)) {
                    List<String> states = states(agent, source);
                    // connected once at the start, then per outage one line when it starts and one when it ends
                    List<String> outages = source.equals(REDIS) ? states.subList(1, states.size()) : states;
                    assertThat(outages).as(source + ": " + String.join("\n", states)).isNotEmpty().hasSizeLessThanOrEqualTo(2 * 2 * 6);
                    for (int i = 0; i < outages.size(); i++) {
                        assertThat(outages.get(i)).as(source + ": outage and recovery lines alternate\n" + String.join("\n", states))
                                .startsWith(i % 2 == 0 ? "WARN" : "INFO");
                    }
                }
                assertThat(threadsAfter).as("threads after the faults (before: %d)", threads).isLessThanOrEqualTo(threads + 2);
                assertThat(filesAfter).as("open files after the faults (before: %d)", files).isLessThanOrEqualTo(files + 2);
                System.out.printf("[network] %d answers on %d connections, p99 %.1f ms, slowest %.1f ms; %d API and %d Redis outage lines%n",
                        sent.get(), CONNECTIONS, p99.toNanos() / 1e6, sorted.getLast() / 1e6,
                        states(agent, API).size() / 2, (states(agent, REDIS).size() - 1) / 2);
            } finally {
                agent.terminate();
                agent.close();
            }
        } finally {
            servers.forEach(Process::destroyForcibly);
            Commands.run(List.of("rm", "-rf", dir.toString()));
        }
    }

    /** The lines a source's state changes wrote, as {@code LEVEL message}. */
    private static List<String> states(PackagedAgent agent, String source) throws Exception {
        return agent.log().lines().filter(line -> line.contains(source) && (line.contains(" WARN ") || line.contains(" INFO ")))
                .filter(line -> !line.contains("blocked:"))
                .map(line -> line.substring(line.indexOf(' ') + 1)).toList();
    }

    private static Process start(Path dir, String name, List<String> command) throws Exception {
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(dir.resolve(name + ".log").toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
    }

    /** Lets the clients run for a while (a phase of the fault schedule; the time is the point). */
    private static void phase(Duration duration) {
        long until = System.nanoTime() + duration.toNanos();
        await().pollDelay(duration).atMost(duration.plusSeconds(5)).until(() -> System.nanoTime() >= until);
    }

    private static int threads(PackagedAgent agent) throws Exception {
        return Integer.parseInt(Files.readAllLines(Path.of("/proc/" + agent.pid() + "/status")).stream()
                .filter(line -> line.startsWith("Threads:")).findFirst().orElseThrow().replaceAll("\\D", ""));
    }

    private static int files(PackagedAgent agent) throws Exception {
        try (var entries = Files.list(Path.of("/proc/" + agent.pid() + "/fd"))) {
            return (int) entries.count();
        }
    }
}
