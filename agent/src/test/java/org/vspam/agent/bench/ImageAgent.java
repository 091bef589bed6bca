package org.vspam.agent.bench;

import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.vspam.agent.testing.AotTraining;
import org.vspam.agent.testing.Ports;

/**
 * The agent as its container image runs it: the image's JVM flags ({@code docker/agent.jvm.options}),
 * its AOT cache recorded by {@code docker/aot-training.sh}, and a memory limit the JVM sizes its heap
 * from ({@code -XX:MaxRAM}, which stands in for the container's cgroup limit where there is none).
 */
final class ImageAgent implements AutoCloseable {
    private final Process process;
    private final int port;
    private final long startedNanos;

    private ImageAgent(Process process, int port, long startedNanos) {
        this.process = process;
        this.port = port;
        this.startedNanos = startedNanos;
    }

    /** {@code aotCache} null starts without one, to see what it is worth; {@code extraEnv} adds settings. */
    static ImageAgent start(Path aotCache, String memoryLimit, URI api, Map<String, String> extraEnv) throws IOException {
        int port = Ports.freeTcpPort();
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of(java, "@" + AotTraining.jvmOptions(), "-XX:MaxRAM=" + memoryLimit));
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
        return new ImageAgent(builder.start(), port, started);
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

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        process.waitFor(30, TimeUnit.SECONDS);
    }
}
