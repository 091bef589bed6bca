package org.vspam.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import io.micronaut.core.type.Argument;
import io.micronaut.json.JsonMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.vspam.agent.Version;
import org.vspam.agent.testing.FakeVspamApi;
import org.vspam.agent.testing.PolicyClient;
import org.vspam.agent.testing.ThreatFixtures;
import picocli.CommandLine;

@Timeout(60)
class CommandLineTest {

    private record Run(int status, String out, String err) {
    }

    private static Run run(Map<String, String> environment, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine command = VspamCommand.commandLine(environment);
        command.setOut(new PrintWriter(out, true));
        command.setErr(new PrintWriter(err, true));
        int status = command.execute(args);
        return new Run(status, out.toString(), err.toString());
    }

    @Test
    void versionPrintsTheVersionAndExitsZero() {
        Run run = run(Map.of(), "--version");
        assertThat(run.status()).isZero();
        assertThat(run.out().strip()).isEqualTo("vspam-agent " + Version.current()).doesNotContain("development");
    }

    @Test
    void aBadValueStopsStartUpWithOneLine(@TempDir Path dir) throws Exception {
        Path config = dir.resolve("agent.yml");
        Files.writeString(config, "listen: ftp://x\n");
        Run run = run(Map.of(), "--config", config.toString(), "serve");

        assertThat(run.status()).isEqualTo(VspamCommand.EXIT_CONFIG);
        assertThat(run.err()).isEqualTo("vspam-agent: listen: \"ftp://x\" is not valid: expected tcp://HOST:PORT, unix:///path or unix:/path (from "
                + config + ")" + System.lineSeparator());
    }

    @Test
    void aBadEnvironmentValueStopsStartUpToo(@TempDir Path dir) throws Exception {
        Run run = run(Map.of("VSPAM_CACHE_TTL", "ten"), "--config", Files.writeString(dir.resolve("a.yml"), "").toString(), "serve");
        assertThat(run.status()).isEqualTo(VspamCommand.EXIT_CONFIG);
        assertThat(run.err()).contains("cache_ttl: \"ten\"").contains("VSPAM_CACHE_TTL");
    }

    @Test
    void aNamedConfigFileThatDoesNotExistIsAnError(@TempDir Path dir) {
        Run run = run(Map.of(), "serve", "--config", dir.resolve("missing.yml").toString());
        assertThat(run.status()).isEqualTo(VspamCommand.EXIT_CONFIG);
        assertThat(run.err()).contains("does not exist");
    }

    @Test
    void aPortInUseIsAClearError(@TempDir Path dir) throws Exception {
        try (var taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            Run run = run(Map.of("VSPAM_LISTEN", "tcp://127.0.0.1:" + taken.getLocalPort(), "VSPAM_CACHE_PATH", "", "VSPAM_API_URL", ""),
                    "--config", Files.writeString(dir.resolve("a.yml"), "").toString(), "serve");
            assertThat(run.status()).isEqualTo(VspamCommand.EXIT_UNAVAILABLE);
            assertThat(run.err()).startsWith("vspam-agent: cannot listen on tcp://127.0.0.1:" + taken.getLocalPort());
        }
    }

    /** The daemon as operators run it: a separate process, configured by file and environment, stopped by SIGTERM. */
    @Test
    void serveAnswersPolicyRequestsAndShutsDownCleanlyOnSigterm(@TempDir Path dir) throws Exception {
        Path socket = dir.resolve("agent.sock");
        Path cache = dir.resolve("cache.db");
        Path config = Files.writeString(dir.resolve("agent.yml"), "listen: unix:" + socket + "\ncache_path: " + cache + "\ndnsbl_enabled: false\n");
        try (FakeVspamApi api = new FakeVspamApi()) {
            String log = serveOnePhishingRequest(dir, config, socket, Map.of("VSPAM_API_URL", api.baseUrl().toString(),
                    "VSPAM_API_KEY", "vspam_never_logged"));

            assertThat(log).contains("ready: policy unix:" + socket).contains("blocked: domain phish.example.net category=phishing_url source=api via=policy")
                    .contains("vspam-agent stopping").doesNotContain("vspam_never_logged");
            assertThat(socket).as("socket removed on shutdown").doesNotExist();
            assertThat(Files.readString(cache)).as("cache saved on shutdown").contains("phish.example.net");
            assertThat(api.requests()).allSatisfy(request -> assertThat(request.apiKey()).isEqualTo("vspam_never_logged"));
        }
    }

    /** {@code log_format: json}: every line one JSON object a log shipper can read, the blocked line among them. */
    @Test
    void jsonLogsAreOneObjectPerLine(@TempDir Path dir) throws Exception {
        Path socket = dir.resolve("agent.sock");
        Path config = Files.writeString(dir.resolve("agent.yml"), "listen: unix:" + socket + "\ncache_path: \"\"\ndnsbl_enabled: false\n");
        try (FakeVspamApi api = new FakeVspamApi()) {
            String log = serveOnePhishingRequest(dir, config, socket, Map.of("VSPAM_API_URL", api.baseUrl().toString(),
                    "VSPAM_LOG_FORMAT", "json"));

            JsonMapper json = JsonMapper.createDefault();
            List<Map<String, Object>> lines = new ArrayList<>();
            for (String line : log.lines().toList()) {
                lines.add(json.readValue(line, Argument.mapOf(String.class, Object.class)));
            }
            assertThat(lines).anySatisfy(line -> assertThat(line)
                    .containsEntry("level", "INFO")
                    .containsEntry("loggerName", "org.vspam.agent.blocked")
                    .containsEntry("formattedMessage", "domain phish.example.net category=phishing_url source=api via=policy")
                    .containsKey("timestamp"));
            assertThat(lines).anySatisfy(line -> assertThat(String.valueOf(line.get("formattedMessage"))).startsWith("vspam-agent stopping"));
        }
    }

    /** Runs {@code serve} as its own process, asks it about a phishing sender over the unix socket, stops it; returns its output. */
    private static String serveOnePhishingRequest(Path dir, Path config, Path socket, Map<String, String> environment) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        // Native access as the jar's manifest grants it, so the JVM prints no warning of its own among the log lines.
        ProcessBuilder builder = new ProcessBuilder(List.of(java, "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                "org.vspam.agent.VspamAgent", "--config", config.toString(), "serve"))
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("agent.log").toFile());
        builder.environment().putAll(environment);
        Process agent = builder.start();
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(socket) || !agent.isAlive());
            try (PolicyClient postfix = PolicyClient.unix(socket)) {
                assertThat(postfix.ask("a@" + ThreatFixtures.PHISH, ThreatFixtures.CLEAN_IP)).startsWith("action=550 ");
            }
        } finally {
            agent.destroy(); // SIGTERM
            agent.waitFor();
        }
        return Files.readString(dir.resolve("agent.log"), StandardCharsets.UTF_8);
    }
}
