package org.vspam.agent.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.vspam.agent.testing.AotTraining;
import org.vspam.agent.testing.Ports;

/**
 * The agent as its container image runs it: the image's JVM flags ({@code docker/agent.jvm.options}),
 * its AOT cache recorded by {@code docker/aot-training.sh}, and a memory limit the JVM sizes its heap
 * from ({@code -XX:MaxRAM}, which stands in for the container's cgroup limit where there is none).
 */
final class ImageAgent implements AutoCloseable {
    private static final Pattern PAUSE = Pattern.compile("Pause (Young|Full).* ([0-9.]+)ms$");

    private final Process process;
    private final int port;
    private final long startedNanos;
    private final Path gcLog;

    private ImageAgent(Process process, int port, long startedNanos, Path gcLog) {
        this.process = process;
        this.port = port;
        this.startedNanos = startedNanos;
        this.gcLog = gcLog;
    }

    /** {@code aotCache} null starts without one, to see what it is worth; {@code extraEnv} adds settings. */
    static ImageAgent start(Path aotCache, String memoryLimit, URI api, Map<String, String> extraEnv) throws IOException {
        int port = Ports.freeTcpPort();
        String java = ProcessHandle.current().info().command().orElse("java");
        Path gcLog = Files.createTempFile("vspam-agent-gc", ".log");
        List<String> command = new ArrayList<>(List.of(java, "@" + AotTraining.jvmOptions(), "-XX:MaxRAM=" + memoryLimit,
                "-Xlog:gc:file=" + gcLog));
        if (aotCache != null) {
            command.add("-XX:AOTCache=" + aotCache);
        }
        command.addAll(List.of("-jar", AotTraining.jar().toString(), "serve"));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        builder.environment().put("MALLOC_ARENA_MAX", "2"); // as the image sets it
        builder.environment().putAll(Map.of("VSPAM_API_URL", api.toString(), "VSPAM_DNSBL_ENABLED", "false", "VSPAM_CACHE_PATH", "",
                "VSPAM_LISTEN", "tcp://127.0.0.1:" + port, "VSPAM_LOG_LEVEL", "warn", "VSPAM_CACHE_TTL", "1h"));
        builder.environment().putAll(extraEnv);
        long started = System.nanoTime();
        return new ImageAgent(builder.start(), port, started, gcLog);
    }

    int port() {
        return port;
    }

    /** Milliseconds from launching the JVM to the first policy answer. */
    long millisToFirstAnswer() throws InterruptedException {
        byte[] request = "request=smtpd_access_policy\nsender=a@example.org\nclient_address=192.0.2.1\n\n".getBytes(StandardCharsets.US_ASCII);
        while (process.isAlive()) {
            try (var socket = new Socket("127.0.0.1", port)) {
                socket.getOutputStream().write(request);
                if (socket.getInputStream().read() >= 0) {
                    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedNanos);
                }
            } catch (IOException notYet) {
                TimeUnit.MILLISECONDS.sleep(2);
            }
        }
        throw new IllegalStateException("the agent exited before answering");
    }

    /** Resident memory now, in KiB: total, anonymous (heap, metaspace, stacks) and file-backed (the jar, the AOT cache). */
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
    }
}
