package org.vspam.agent.packaged;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.vspam.agent.observe.FlapWatch;
import org.vspam.agent.testing.Commands;
import org.vspam.agent.testing.DelayRelay;
import org.vspam.agent.testing.FakeVspamApi;
import org.vspam.agent.testing.PackagedAgent;
import org.vspam.agent.testing.PolicyClient;
import org.vspam.agent.testing.Ports;
import org.vspam.agent.testing.Rbldnsd;
import org.vspam.agent.testing.TestNetwork;
import org.vspam.agent.testing.ThreatFixtures;
import org.vspam.agent.testing.Tools;
import org.vspam.config.GoDuration;

/**
 * Faults that cross a real network path: the packaged agent on a host of its own (a network
 * namespace), the vspam.org API, the DNSBL (rbldnsd) and Redis on another, joined by a veth link; by
 * name, as users write them. Under 20 persistent connections of known and new senders (a few thousand a second) the paths to the
 * API and Redis are: blackholed (nothing passes), 200 ms ± 50 ms long (a relay on them: this kernel has
 * no netem), losing 5% and 30% of the packets, Redis alone cut off, twice over, then flapping for a minute
 * ({@code -Dfaults.cycles=10 -Dfaults.blackhole=30s} for the long run). Throughout, a sender
 * listed before the faults is refused, everything else is answered DUNNO within the deadline, the
 * blackhole is one line down and one up for every source and a minute of flapping two at most, every
 * source is up in {@code /health} within a minute of the last fault and its last line a recovery once
 * it has answered for a minute, reconnects are paced, and the agent holds no more
 * threads, files or live heap after the last cycle than after the first. (The first outage starts what
 * the client libraries start once and keep: dnsjava's selector thread with its epoll and eventfd
 * descriptors, Resilience4j's scheduler for a breaker's return to half-open; the figures before any
 * fault are printed beside.)
 */
@Timeout(1800)
class NetworkFaultsIT {
    private static final Duration DECISION_TIMEOUT = Duration.ofMillis(500);
    private static final String REJECT = "action=550 Message rejected: sender listed in vspam.org (phishing)";
    private static final int CONNECTIONS = 20;
    /** A line of {@code jcmd GC.class_histogram}: {@code  1:  53400  5159816  [B (java.base@25)}, and its {@code Total} line. */
    private static final Pattern HISTOGRAM = Pattern.compile("(?m)^(?:[ \\t]*\\d+:|Total)[ \\t]+\\d+[ \\t]+(\\d+)(?:[ \\t]+(\\S+))?");
    private static final String API = "SourceHealth: vspam.org API";
    private static final String REDIS = "SharedCache: shared cache";
    private static final String DNSBL = "SourceHealth: DNSBL " + Rbldnsd.ZONE;
    private static final List<String> SOURCES = List.of(API, DNSBL, REDIS);
    /** The agent's HTTP listener on its host's loopback, for /health. */
    private static final int HTTP_PORT = 10046;
    /** At least two: what the agent holds after the first is the measure for the rest. */
    private static final int CYCLES = Math.max(2, Integer.getInteger("faults.cycles", 2));
    private static final Duration BLACKHOLE = GoDuration.parse(System.getProperty("faults.blackhole", "6s"));

    @Test
    void knownVerdictsHoldAndEverythingIsAnsweredInTimeThroughLossBlackholeFlappingAndARedisCut() throws Exception {
        Tools.require("socat", "apt-get install socat");
        Path dir = Files.createTempDirectory(Path.of("/var/tmp"), "vspam-network-");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        List<Process> servers = new ArrayList<>();
        int redisPort = Ports.freeTcpPort();
        try (FakeVspamApi api = new FakeVspamApi(); TestNetwork network = TestNetwork.create("api.vspam.test", "redis.vspam.test", "dns.vspam.test");
             Rbldnsd dnsbl = Rbldnsd.startOn(network.onServers(), TestNetwork.SERVER_ADDRESS, 53);
             DelayRelay apiRelay = DelayRelay.to(api.baseUrl().getPort());
             DelayRelay redisRelay = DelayRelay.to(redisPort)) {
            // The API and Redis run on this host, each behind a relay that can lengthen the path; socat carries them to the
            // servers' host through unix sockets, where they listen on the servers' address.
            servers.add(start(dir, "redis", List.of("redis-server", "--bind", "127.0.0.1", "--port", String.valueOf(redisPort), "--dir",
                    dir.toString(), "--save", "", "--appendonly", "no")));
            await("redis-server listening").atMost(Duration.ofSeconds(10)).until(() -> Ports.accepting(redisPort));
            bridge(dir, servers, network, "api", apiRelay.port(), 8080);
            bridge(dir, servers, network, "redis", redisRelay.port(), 6379);

            Path socket = dir.resolve("agent.sock");
            String yaml = """
                    api_url: http://api.vspam.test:8080
                    redis_url: redis://redis.vspam.test:6379/0
                    dnsbl_zone: %s
                    dnsbl_resolvers: ["dns.vspam.test:53"]
                    listen: unix:%s
                    socket_mode: "0666"
                    cache_path: ""
                    decision_timeout: %dms
                    http_enabled: true
                    http_listen: 127.0.0.1:%d
                    """.formatted(Rbldnsd.ZONE, socket, DECISION_TIMEOUT.toMillis(), HTTP_PORT);
            network.countConnectionAttempts(6379, 8080);
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
                // each answer's time in tenths of a millisecond, up to 10 s: a fixed array, not a list of every answer, so that this
                // JVM (which also runs the API and the relays) does not grow and collect for minutes beside the agent
                AtomicLongArray tenthsOfMs = new AtomicLongArray(100_001);
                AtomicLong slowest = new AtomicLong();
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
                                long took = System.nanoTime() - started;
                                tenthsOfMs.incrementAndGet((int) Math.min(took / 100_000, 100_000));
                                slowest.accumulateAndGet(took, Math::max);
                                sent.incrementAndGet();
                                if (!answer.equals(known ? REJECT : "action=DUNNO")) {
                                    wrong.add(sender + " -> " + answer);
                                }
                                // a busy mail server's pace, a few hundred requests a second each, not a loop that keeps both cores
                                // saturated for minutes: then a late answer is the network's, not the machine's starving every process
                                LockSupport.parkNanos(2_000_000);
                            }
                        } catch (Exception e) {
                            wrong.add("connection " + connection + ": " + e);
                        }
                    }));
                }
                // where it starts: under the load, before any fault
                phase(Duration.ofSeconds(3));
                long heap = liveHeap(agent); // first: attaching starts the JVM's attach listener thread, counted from here on
                int threads = threads(agent);
                int files = files(agent);
                long redisAttempts = network.connectionAttempts(6379);
                long apiAttempts = network.connectionAttempts(8080);
                long faultsStarted = System.nanoTime();
                long heapFirst = 0;
                int threadsFirst = 0;
                int filesFirst = 0;
                List<String> blackholeLines = new ArrayList<>();
                settle(network, agent); // jcmd's collection may have held the agent long enough for Redis's breaker to open
                for (int cycle = 0; cycle < CYCLES; cycle++) {
                    // nothing passes: each source is one line down and one up, and up in /health within a minute
                    Map<String, Integer> before = lineCounts(agent);
                    network.loss(1);
                    phase(BLACKHOLE);
                    network.heal();
                    await("every source back after the blackhole").atMost(FlapWatch.STABLE).until(() -> allUp(network, agent)
                            && SOURCES.stream().allMatch(source -> lastState(agent, source).startsWith("INFO")));
                    for (String source : SOURCES) {
                        List<String> lines = since(agent, source, before);
                        blackholeLines.addAll(lines);
                        assertThat(lines).as(source + ": the blackhole of cycle " + (cycle + 1)).hasSize(2);
                        assertThat(lines.get(0)).as(source).startsWith("WARN").containsAnyOf(" unavailable", " failing or slow");
                        assertThat(lines.get(1)).as(source).startsWith("INFO").containsAnyOf(" answers again", " answers normally again",
                                " connected");
                    }
                    // slow, then lossy
                    apiRelay.delay(Duration.ofMillis(200), Duration.ofMillis(50));
                    redisRelay.delay(Duration.ofMillis(200), Duration.ofMillis(50));
                    phase(Duration.ofSeconds(4));
                    apiRelay.noDelay();
                    redisRelay.noDelay();
                    network.loss(0.05);
                    phase(Duration.ofSeconds(3));
                    network.loss(0.3);
                    phase(Duration.ofSeconds(3));
                    network.heal();
                    // Redis alone cut off
                    network.cut(6379);
                    phase(Duration.ofSeconds(4));
                    network.heal();
                    await("every source up in /health").atMost(FlapWatch.STABLE).until(() -> allUp(network, agent));
                    if (cycle == 0) {
                        heapFirst = liveHeap(agent);
                        threadsFirst = threads(agent);
                        filesFirst = files(agent);
                    }
                    if (cycle < CYCLES - 1) {
                        settle(network, agent);
                    }
                }
                phase(Duration.ofSeconds(3));
                long heapAfter = liveHeap(agent);
                int threadsAfter = threads(agent);
                int filesAfter = files(agent);

                // then a minute of the link going down and up every two seconds: two lines per source at most; within a
                // minute every source up in /health, and its last word a recovery once it has answered for a minute
                Map<String, Integer> before = lineCounts(agent);
                for (long until = System.nanoTime() + FlapWatch.STABLE.toNanos(); System.nanoTime() < until; ) {
                    network.link(false);
                    phase(Duration.ofSeconds(2));
                    network.link(true);
                    phase(Duration.ofSeconds(2));
                }
                List<String> flappingLines = new ArrayList<>();
                for (String source : SOURCES) {
                    List<String> lines = since(agent, source, before);
                    flappingLines.addAll(lines);
                    assertThat(lines).as(source + ": a minute of flapping").hasSizeLessThanOrEqualTo(2);
                }
                long lastFault = System.nanoTime();
                await("every source up in /health").atMost(FlapWatch.STABLE).until(() -> allUp(network, agent));
                await("every source's last word a recovery").atMost(FlapWatch.STABLE.multipliedBy(2)).until(() ->
                        SOURCES.stream().allMatch(source -> lastState(agent, source).startsWith("INFO")));
                System.out.printf("[network] after a minute of flapping, every source's last word a recovery %.0f s after the last fault%n",
                        (System.nanoTime() - lastFault) / 1e9);
                double faultSeconds = (System.nanoTime() - faultsStarted) / 1e9;
                redisAttempts = network.connectionAttempts(6379) - redisAttempts;
                apiAttempts = network.connectionAttempts(8080) - apiAttempts;
                running.set(false);
                for (Thread client : clients) {
                    client.join();
                }

                assertThat(wrong).as("answers other than the right one").isEmpty();
                assertThat(sent.get()).isGreaterThan(2_000);
                Duration p99 = percentile(tenthsOfMs, 0.99);
                assertThat(p99).as("p99").isLessThanOrEqualTo(DECISION_TIMEOUT.plusMillis(50));
                assertThat(states(agent, REDIS).getFirst()).startsWith("INFO").contains("shared cache connected");
                assertThat(agent.log()).as("Lettuce's own reconnection warnings").doesNotContain("ConnectionWatchdog");
                assertThat(threadsAfter).as("threads after the last cycle (after the first: %d)", threadsFirst).isLessThanOrEqualTo(threadsFirst + 2);
                assertThat(filesAfter).as("open files after the last cycle (after the first: %d)", filesFirst).isLessThanOrEqualTo(filesFirst + 2);
                assertThat(heapAfter).as("live heap after the last cycle (after the first: %d KiB)", heapFirst >> 10)
                        .isLessThanOrEqualTo(heapFirst + (8L << 20));
                // paced: one Redis connection at a time, retried with a backoff; the API's pool is bounded
                assertThat(redisAttempts / faultSeconds).as("Redis connection attempts per second of faults").isLessThan(2);
                assertThat(apiAttempts / faultSeconds).as("API connection attempts per second of faults").isLessThan(20);
                System.out.printf("[network] %d cycles, blackhole %s: %d answers on %d connections, p99 %.1f ms, slowest %.1f ms; "
                                + "%d API, %d DNSBL and %d Redis lines in all; connection attempts in %.0f s: Redis %d, API %d; "
                                + "threads %d -> %d -> %d, files %d -> %d -> %d, live heap %d -> %d -> %d KiB (before, after the first cycle, after the last)%n",
                        CYCLES, GoDuration.format(BLACKHOLE), sent.get(), CONNECTIONS, p99.toNanos() / 1e6, slowest.get() / 1e6,
                        states(agent, API).size(), states(agent, DNSBL).size(), states(agent, REDIS).size() - 1,
                        faultSeconds, redisAttempts, apiAttempts, threads, threadsFirst, threadsAfter, files, filesFirst, filesAfter,
                        heap >> 10, heapFirst >> 10, heapAfter >> 10);
                System.out.printf("[network] the blackholes' lines:%n  %s%n[network] the flapping minutes' lines:%n  %s%n",
                        String.join("\n  ", blackholeLines), String.join("\n  ", flappingLines));
            } finally {
                System.out.printf("[network] what the agent said about its sources:%n  %s%n", String.join("\n  ",
                        agent.log().lines().filter(line -> SOURCES.stream().anyMatch(line::contains) && !line.contains("blocked:")).toList()));
                agent.terminate();
                agent.close();
            }
        } finally {
            servers.forEach(Process::destroyForcibly);
            Commands.run(List.of("rm", "-rf", dir.toString()));
        }
    }

    /**
     * A container without DNS servers (an empty {@code /etc/resolv.conf}) and a route to anywhere: the API's and Redis's
     * names, in no hosts file, do not resolve, and no query leaves for a server nobody configured (Netty's DNS client, which
     * Lettuce brings, would ask Google's public servers); the DNSBL is asked through the one configured, and the agent
     * says in one line how names resolve there.
     */
    @Test
    void withoutDnsServersNoQueryGoesToAServerTheOperatorDidNotChoose() throws Exception {
        Path dir = Files.createTempDirectory(Path.of("/var/tmp"), "vspam-resolv-");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        try (TestNetwork network = TestNetwork.create("dns.vspam.test");
             Rbldnsd dnsbl = Rbldnsd.startOn(network.onServers(), TestNetwork.SERVER_ADDRESS, 53)) {
            network.withoutDnsServers();
            Path socket = dir.resolve("agent.sock");
            String yaml = """
                    api_url: http://api.unlisted.test:8080
                    redis_url: redis://redis.unlisted.test:6379/0
                    dnsbl_zone: %s
                    dnsbl_resolvers: ["dns.vspam.test:53"]
                    listen: unix:%s
                    socket_mode: "0666"
                    cache_path: ""
                    """.formatted(Rbldnsd.ZONE, socket);
            PackagedAgent agent = PackagedAgent.start(network.onAgent(), dir, "agent", yaml, Map.of(), "serve");
            try {
                await("the agent ready").atMost(Duration.ofSeconds(60)).until(() -> agent.log().contains(" ready: policy ") || !agent.alive());
                try (PolicyClient postfix = PolicyClient.unix(socket)) {
                    assertThat(postfix.ask("a@" + ThreatFixtures.DNSBL_ONLY, ThreatFixtures.CLEAN_IP)).as("the DNSBL, through its configured server")
                            .startsWith("action=550 ");
                    for (int i = 0; i < 20; i++) {
                        assertThat(postfix.ask("s@new-" + i + ".example.org", ThreatFixtures.CLEAN_IP)).isEqualTo("action=DUNNO");
                    }
                }
                await("Redis tried again and again").atMost(Duration.ofSeconds(20))
                        .until(() -> agent.log().contains("shared cache redis://redis.unlisted.test:6379/0 unavailable"));
                phase(Duration.ofSeconds(4)); // the reconnections after the first, 0.5, 1 and 2 s later
                assertThat(network.dnsQueriesBeyondTheServers()).as("DNS queries to servers nobody configured").isZero();
                assertThat(agent.log()).contains("INFO  Agent: no DNS server in /etc/resolv.conf: names (api_url, redis_url, dnsbl_resolvers) "
                        + "resolve from /etc/hosts only").doesNotContain("Google").doesNotContain("8.8.8.8");
            } finally {
                agent.terminate();
                agent.close();
            }
        } finally {
            Commands.run(List.of("rm", "-rf", dir.toString()));
        }
    }

    /** The time under which {@code share} of the answers came, from counts per tenth of a millisecond (rounded up to the next tenth). */
    private static Duration percentile(AtomicLongArray tenthsOfMs, double share) {
        long total = 0;
        for (int i = 0; i < tenthsOfMs.length(); i++) {
            total += tenthsOfMs.get(i);
        }
        long seen = 0;
        for (int i = 0; i < tenthsOfMs.length(); i++) {
            seen += tenthsOfMs.get(i);
            if (seen >= Math.ceil(total * share)) {
                return Duration.ofNanos((i + 1) * 100_000L);
            }
        }
        return Duration.ofSeconds(10);
    }

    /** The lines a source's state changes wrote, as {@code LEVEL message}. */
    private static List<String> states(PackagedAgent agent, String source) {
        return stateLines(agent, source).map(line -> line.substring(line.indexOf(' ') + 1)).toList();
    }

    private static Stream<String> stateLines(PackagedAgent agent, String source) {
        try {
            return agent.log().lines().filter(line -> line.contains(source) && (line.contains(" WARN ") || line.contains(" INFO ")))
                    .filter(line -> !line.contains("blocked:"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String lastState(PackagedAgent agent, String source) {
        List<String> states = states(agent, source);
        return states.isEmpty() ? "" : states.getLast();
    }

    private static Map<String, Integer> lineCounts(PackagedAgent agent) {
        return SOURCES.stream().collect(Collectors.toMap(source -> source, source -> states(agent, source).size()));
    }

    /** A source's lines since {@code before} was counted. */
    private static List<String> since(PackagedAgent agent, String source, Map<String, Integer> before) {
        List<String> states = states(agent, source);
        return states.subList(before.get(source), states.size());
    }

    /**
     * Until every source is up, its last word a recovery, and a minute has passed since the last recovery: the next outage is an
     * outage then, not a flap.
     */
    private static void settle(TestNetwork network, PackagedAgent agent) {
        await("every source settled").atMost(FlapWatch.STABLE.multipliedBy(3)).until(() -> noneFailing(network, agent)
                && SOURCES.stream().map(source -> lastState(agent, source)).allMatch(state -> state.isEmpty() || state.startsWith("INFO"))
                && lastRecovery(agent).map(at -> Duration.between(at, OffsetDateTime.now()).compareTo(FlapWatch.STABLE) > 0).orElse(true));
    }

    /**
     * When the last of the sources' recoveries was told (by the log's own time stamps): an INFO line after a WARN one, but not a
     * flapping source's last, which says when it settled (a minute after it came back), not when it came back.
     */
    private static Optional<OffsetDateTime> lastRecovery(PackagedAgent agent) {
        List<OffsetDateTime> recoveries = new ArrayList<>();
        for (String source : SOURCES) {
            String previous = "";
            for (String line : stateLines(agent, source).toList()) {
                if (line.contains(" INFO ") && previous.contains(" WARN ") && !line.contains(" stable again: ")) {
                    recoveries.add(OffsetDateTime.parse(line.substring(0, line.indexOf(' '))));
                }
                previous = line;
            }
        }
        return recoveries.stream().max(Comparator.naturalOrder());
    }

    /** Whether {@code /health}, asked on the agent's host, has every source up. */
    private static boolean allUp(TestNetwork network, PackagedAgent agent) throws Exception {
        return health(network).split("\"state\":\"up\"", -1).length - 1 == SOURCES.size();
    }

    /** Whether {@code /health} has no source failing (one nothing has asked yet is unknown). */
    private static boolean noneFailing(TestNetwork network, PackagedAgent agent) throws Exception {
        String health = health(network);
        return health.contains("\"sources\"") && !health.contains("\"failing\"");
    }

    private static String health(TestNetwork network) throws Exception {
        List<String> curl = new ArrayList<>(network.onAgent());
        curl.addAll(List.of("curl", "-s", "-m", "2", "http://127.0.0.1:" + HTTP_PORT + "/health"));
        return Commands.run(curl, false);
    }

    /** Carries a service of this host ({@code port} on loopback) to the servers' address, {@code serverPort}, through a unix socket. */
    private static void bridge(Path dir, List<Process> servers, TestNetwork network, String name, int port, int serverPort) throws Exception {
        Path socket = dir.resolve(name + ".sock");
        servers.add(start(dir, name + "-bridge-host", List.of("socat", "UNIX-LISTEN:" + socket + ",fork,reuseaddr", "TCP:127.0.0.1:" + port)));
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(socket));
        List<String> onServers = new ArrayList<>(network.onServers());
        onServers.addAll(List.of("socat", "TCP-LISTEN:" + serverPort + ",bind=" + TestNetwork.SERVER_ADDRESS + ",fork,reuseaddr",
                "UNIX-CONNECT:" + socket));
        servers.add(start(dir, name + "-bridge-servers", onServers));
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

    /**
     * What the agent's heap holds: the objects {@code jcmd GC.class_histogram} finds reachable (it collects first). Neither the
     * heap's use after {@code GC.run} nor its old generation alone measured that: the load refills the young generation (12 MiB)
     * before the reading, and the serial collector leaves part of the dead space in place, as filler objects, instead of moving
     * what is live over it (its MarkSweepDeadRatio): 18 MiB of them once read as growth.
     */
    private static long liveHeap(PackagedAgent agent) throws Exception {
        String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
        Matcher line = HISTOGRAM.matcher(Commands.run(List.of(jcmd, String.valueOf(agent.pid()), "GC.class_histogram")));
        long total = -1;
        long fillers = 0;
        while (line.find()) {
            if (line.group(2) == null) {
                total = Long.parseLong(line.group(1));
            } else if (line.group(2).startsWith("[Ljdk.internal.vm.FillerElement;")) {
                fillers += Long.parseLong(line.group(1));
            }
        }
        if (total < 0) {
            throw new IllegalStateException("no Total in jcmd GC.class_histogram");
        }
        return total - fillers;
    }

    private static int files(PackagedAgent agent) throws Exception {
        try (var entries = Files.list(Path.of("/proc/" + agent.pid() + "/fd"))) {
            return (int) entries.count();
        }
    }
}
