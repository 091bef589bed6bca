package org.vspam.agent.packaged;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.vspam.agent.testing.AotTraining;

/**
 * A sidecar (policy on a unix socket, health and metrics) loads what it uses and no more. Its JVM loads
 * every class of the AOT cache at start, and each costs memory in every pod, so what only other
 * configurations use (the milter's parsers, the Redis client, a framework HTTP server) must stay out of
 * the cache the image build records, and a class loaded by accident must show here rather than as a
 * sidecar killed at its memory limit.
 */
@Timeout(300)
class SidecarClassesIT {
    /** About 6,600 at 0.4; 9,275 before the sidecar's classes were counted. */
    private static final int BUDGET = 7_000;

    @TempDir
    Path dir;

    @Test
    void aSidecarLoadsNeitherTheMilterNorRedisNorAnHttpFrameworkAndStaysWithinItsClassBudget() throws Exception {
        Path cache = AotTraining.record(dir.resolve("vspam-agent.aot"), dir.resolve("training.log"));
        Path socket = dir.resolve("agent.sock");
        Path classes = dir.resolve("classes.log");
        ProcessBuilder builder = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"), "@" + AotTraining.jvmOptions(),
                "-XX:AOTCache=" + cache, "-Xlog:class+load:file=" + classes, "-jar", AotTraining.jar().toString(), "serve")
                .redirectErrorStream(true).redirectOutput(dir.resolve("agent.log").toFile());
        builder.environment().putAll(Map.of("VSPAM_LISTEN", "unix:" + socket, "VSPAM_HTTP_ENABLED", "true", "VSPAM_HTTP_LISTEN", "127.0.0.1:0",
                "VSPAM_API_URL", "http://127.0.0.1:9", "VSPAM_CACHE_PATH", "", "VSPAM_LOG_LEVEL", "warn"));
        Process agent = builder.start();
        try {
            await("the first policy answer").atMost(Duration.ofSeconds(60)).until(() -> answers(socket));
            List<String> loaded = Files.readAllLines(classes);
            assertThat(loaded).as("classes loaded by the first answer").hasSizeLessThan(BUDGET)
                    .noneMatch(line -> line.contains(" org.jsoup.") || line.contains(" org.apache.james.mime4j.") || line.contains(" org.nibor.")
                            || line.contains(" com.ibm.icu."))
                    .noneMatch(line -> line.contains(" io.lettuce.core.RedisClient ") || line.contains(" io.lettuce.core.cluster."))
                    .noneMatch(line -> line.contains(" io.micronaut.http.") || line.contains(" reactor.core."))
                    .as("an AOT cache the JVM accepted").anyMatch(line -> line.endsWith("source: shared objects file"));
        } finally {
            agent.destroy();
            agent.waitFor(30, TimeUnit.SECONDS);
        }
    }

    private static boolean answers(Path socket) {
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(socket));
            channel.write(ByteBuffer.wrap("request=smtpd_access_policy\nsender=a@example.org\nclient_address=192.0.2.1\n\n"
                    .getBytes(StandardCharsets.US_ASCII)));
            return channel.read(ByteBuffer.allocate(64)) > 0;
        } catch (IOException notYet) {
            return false;
        }
    }
}
