package org.vspam.agent.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import io.netty.channel.unix.DomainSocketAddress;
import org.vspam.agent.testing.AotTraining;
import org.vspam.agent.testing.Ports;

/**
 * The agent as users run it, in its own JVM: either the container image's entry command (its JVM
 * flags, {@code images/agent.jvm.options}, and its AOT cache recorded by {@code images/aot-training.sh})
 * or a package's launcher ({@code /usr/bin/vspam-agent}, or the tree of a built package), with the
 * package's own flags and AOT cache. A memory limit is given as {@code -XX:MaxRAM}, from which the JVM
 * sizes its heap as it would from a container's cgroup limit. Configured by environment variables,
 * as the operator configures it, with the HTTP API on (health and metrics).
 */
final class ImageAgent implements AutoCloseable {
    private static final Pattern PAUSE = Pattern.compile("Pause (Young|Full).* ([0-9.]+)ms$");
    private static final byte[] FIRST_REQUEST =
            "request=smtpd_access_policy\nsender=a@example.org\nclient_address=192.0.2.1\n\n".getBytes(StandardCharsets.US_ASCII);

    /** How the agent is started. */
    sealed interface Launch {
        /** {@code java @agent.jvm.options [-XX:AOTCache=…] -jar vspam-agent.jar serve}; {@code aotCache} null leaves the cache out. */
        record Image(Path aotCache) implements Launch {
        }

        /** {@code LAUNCHER serve}, extra JVM flags in {@code JAVA_OPTS} as the package's unit passes them. */
        record Launcher(Path launcher) implements Launch {
        }
    }

    private final Process process;
    private final SocketAddress policy;
    private final long startedNanos;
    private final Path gcLog;
    private final Path socketDir;

    private ImageAgent(Process process, SocketAddress policy, long startedNanos, Path gcLog, Path socketDir) {
        this.process = process;
        this.policy = policy;
        this.startedNanos = startedNanos;
        this.gcLog = gcLog;
        this.socketDir = socketDir;
    }

    /**
     * Starts the agent; {@code unix} puts its policy listener on a unix socket, as a sidecar's is,
     * {@code jvmFlags} are added to its JVM's (a log of its classes, say), {@code extraEnv} to its settings.
     */
    static ImageAgent start(Launch launch, String memoryLimit, boolean unix, URI api, List<String> jvmFlags, Map<String, String> extraEnv)
            throws IOException {
        Path gcLog = Files.createTempFile("vspam-agent-gc", ".log");
        List<String> flags = new ArrayList<>(List.of("-XX:MaxRAM=" + memoryLimit, "-Xlog:gc:file=" + gcLog));
        flags.addAll(jvmFlags);
        List<String> command = new ArrayList<>();
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        switch (launch) {
            case Launch.Image image -> {
                command.addAll(List.of(ProcessHandle.current().info().command().orElse("java"), "@" + AotTraining.jvmOptions()));
                command.addAll(flags);
                if (image.aotCache() != null) {
                    command.add("-XX:AOTCache=" + image.aotCache());
                }
                command.addAll(List.of("-jar", AotTraining.jar().toString(), "serve"));
                builder.environment().put("MALLOC_ARENA_MAX", "2"); // as the image sets it
            }
            case Launch.Launcher launcher -> {
                command.addAll(List.of(launcher.launcher().toString(), "serve"));
                builder.environment().put("JAVA_OPTS", String.join(" ", flags));
            }
        }
        Path socketDir = unix ? Files.createTempDirectory("vspam-agent-socket") : null;
        SocketAddress policy = unix ? UnixDomainSocketAddress.of(socketDir.resolve("agent.sock"))
                : new InetSocketAddress("127.0.0.1", Ports.freeTcpPort());
        builder.environment().putAll(Map.of("VSPAM_API_URL", api.toString(), "VSPAM_DNSBL_ENABLED", "false", "VSPAM_CACHE_PATH", "",
                "VSPAM_LISTEN", unix ? "unix:" + socketDir.resolve("agent.sock") : "tcp://127.0.0.1:" + ((InetSocketAddress) policy).getPort(),
                "VSPAM_HTTP_ENABLED", "true", "VSPAM_HTTP_LISTEN", "127.0.0.1:" + Ports.freeTcpPort(),
                "VSPAM_LOG_LEVEL", "warn", "VSPAM_CACHE_TTL", "1h"));
        builder.environment().putAll(extraEnv);
        long started = System.nanoTime();
        return new ImageAgent(builder.start(), policy, started, gcLog, socketDir);
    }

    /** Where the load generator connects: a TCP address or, for a unix socket, Netty's form of its path. */
    SocketAddress loadAddress() {
        return policy instanceof UnixDomainSocketAddress unix ? new DomainSocketAddress(unix.getPath().toString()) : policy;
    }

    long pid() {
        return process.pid();
    }

    /** Milliseconds from launching the JVM to the first policy answer. */
    long millisToFirstAnswer() throws InterruptedException {
        while (process.isAlive()) {
            try (SocketChannel channel = SocketChannel.open(policy instanceof UnixDomainSocketAddress
                    ? StandardProtocolFamily.UNIX : StandardProtocolFamily.INET)) {
                channel.connect(policy);
                channel.write(ByteBuffer.wrap(FIRST_REQUEST));
                if (channel.read(ByteBuffer.allocate(64)) > 0) {
                    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedNanos);
                }
            } catch (IOException notYet) {
                TimeUnit.MILLISECONDS.sleep(2);
            }
        }
        throw new IllegalStateException("the agent exited before answering");
    }

    /** Resident memory now, in KiB: total, anonymous (heap, metaspace, stacks) and file-backed (the JVM's code, the jar, the AOT cache). */
    long[] residentKib() throws IOException {
        long[] rss = new long[3];
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
            int field = line.startsWith("VmRSS:") ? 0 : line.startsWith("RssAnon:") ? 1 : line.startsWith("RssFile:") ? 2 : -1;
            if (field >= 0) {
                rss[field] = Long.parseLong(line.replaceAll("\\D", ""));
            }
        }
        return rss;
    }

    /**
     * Samples the agent's anonymous resident memory (what a container's limit kills for) every 20 ms
     * while {@code load} runs, and returns the highest, in KiB.
     */
    long anonymousPeakKibDuring(Callable<?> load) throws Exception {
        AtomicLong peak = new AtomicLong(residentKib()[1]);
        ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
        sampler.scheduleAtFixedRate(() -> {
            try {
                peak.accumulateAndGet(residentKib()[1], Math::max);
            } catch (IOException exited) {
                // the agent is gone: its last sample stands
            }
        }, 0, 20, TimeUnit.MILLISECONDS);
        try {
            load.call();
        } finally {
            sampler.shutdownNow();
        }
        return peak.get();
    }

    /** CPU time the agent's process has used so far (user and system, all its threads), in clock ticks. */
    long cpuTicks() throws IOException {
        String stat = Files.readString(Path.of("/proc", Long.toString(process.pid()), "stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" "); // the name may hold spaces
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // utime, stime: fields 14 and 15 of the line
    }

    /** Lines in the agent's GC log so far: where a measuring window starts. */
    int gcLogLines() {
        try {
            return Files.readAllLines(gcLog).size();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The agent's collections logged after line {@code from}: how often and how long it stopped. */
    String collectionsSince(int from) throws IOException {
        List<String> lines = Files.readAllLines(gcLog);
        List<Double> young = new ArrayList<>();
        List<Double> full = new ArrayList<>();
        for (String line : lines.subList(Math.min(from, lines.size()), lines.size())) {
            Matcher pause = PAUSE.matcher(line);
            if (pause.find()) {
                (pause.group(1).equals("Young") ? young : full).add(Double.parseDouble(pause.group(2)));
            }
        }
        Collections.sort(young);
        return young.isEmpty() ? full.size() + " full collections" : String.format(
                "%d young collections (median %.2f ms, longest %.2f ms, %.0f ms in total), %d full collections%s",
                young.size(), young.get(young.size() / 2), young.getLast(), young.stream().mapToDouble(Double::doubleValue).sum(),
                full.size(), full.isEmpty() ? "" : " (longest " + Collections.max(full) + " ms)");
    }

    @Override
    public void close() throws InterruptedException, IOException {
        process.destroy();
        process.waitFor(30, TimeUnit.SECONDS);
        Files.deleteIfExists(gcLog);
        if (socketDir != null) {
            Files.deleteIfExists(socketDir.resolve("agent.sock"));
            Files.deleteIfExists(socketDir);
        }
    }
}
