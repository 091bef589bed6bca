package org.vspam.agent.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micronaut.core.type.Argument;
import io.micronaut.json.JsonMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.vspam.agent.testing.AotTraining;
import org.vspam.agent.testing.FakeVspamApi;
import org.vspam.agent.testing.PolicyClient;
import org.vspam.agent.testing.Ports;
import org.vspam.agent.testing.ThreatFixtures;

/**
 * The packaged jar, started exactly as docker/agent.Dockerfile starts it: its ENTRYPOINT and CMD,
 * its ENV, its JVM flags file and an AOT cache recorded by the same training script, configured by
 * the environment variables the operator sets, and (when the tests run as root) as uid 65532.
 */
@Timeout(180)
class ImageEntryCommandIT {
    private static final Path ROOT = AotTraining.root();
    private static final Path DOCKERFILE = ROOT.resolve("docker/agent.Dockerfile");

    @Test
    void theEntryCommandAnswersPolicyAndHealthWithItsAotCache(@TempDir Path dir) throws Exception {
        String dockerfile = Files.readString(DOCKERFILE);
        // As the image build does: record the cache with the same jar, flags file and JVM.
        Path cache = AotTraining.record(dir.resolve("vspam-agent.aot"), dir.resolve("training.log"));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));

        int policyPort = Ports.freeTcpPort();
        int httpPort = Ports.freeTcpPort();
        List<String> command = new ArrayList<>();
        if ("root".equals(System.getProperty("user.name"))) {
            command.addAll(List.of("setpriv", "--reuid=65532", "--regid=65532", "--clear-groups")); // the image's USER
        }
        for (String word : jsonArray(dockerfile, "ENTRYPOINT")) {
            command.add(word.equals("java") ? ProcessHandle.current().info().command().orElse("java") : inImage(word, cache));
        }
        command.addAll(jsonArray(dockerfile, "CMD"));
        try (FakeVspamApi api = new FakeVspamApi()) {
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(dir.resolve("agent.log").toFile());
            builder.environment().putAll(env(dockerfile));
            builder.environment().putAll(Map.of("VSPAM_API_URL", api.baseUrl().toString(), "VSPAM_API_KEY", "vspam_image_key",
                    "VSPAM_LISTEN", "tcp://127.0.0.1:" + policyPort, "VSPAM_HTTP_ENABLED", "true", "VSPAM_HTTP_LISTEN", "127.0.0.1:" + httpPort,
                    "VSPAM_DNSBL_ENABLED", "false", "VSPAM_CACHE_PATH", ""));
            Process agent = builder.start();
            try {
                await().atMost(Duration.ofSeconds(60)).until(() -> Ports.accepting(policyPort) || !agent.isAlive());
                try (PolicyClient postfix = PolicyClient.tcp(policyPort)) {
                    assertThat(postfix.ask("a@" + ThreatFixtures.PHISH, ThreatFixtures.CLEAN_IP)).startsWith("action=550 ");
                }
                try (HttpClient http = HttpClient.newHttpClient()) {
                    HttpResponse<String> health = await().atMost(Duration.ofSeconds(30)).until(() -> http.send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + httpPort + "/health")).build(), HttpResponse.BodyHandlers.ofString()),
                            response -> response.statusCode() == 200);
                    assertThat(health.body()).startsWith("{\"status\":\"ok\",\"sources\":{\"api\":");
                }
            } finally {
                agent.destroy();
                agent.waitFor();
            }
            String log = Files.readString(dir.resolve("agent.log"));
            assertThat(log).as("the AOT cache recorded at build time is usable at run time").doesNotContainIgnoringCase("AOT cache")
                    .doesNotContainIgnoringCase("mismatch").doesNotContain("vspam_image_key");
            assertThat(log).contains("ready: policy tcp://127.0.0.1:" + policyPort);
        }
    }

    /** Paths inside the image, mapped to where the build left the same files. */
    private static String inImage(String word, Path cache) {
        return word.replace("/opt/vspam/vspam-agent.jvm.options", AotTraining.jvmOptions().toString())
                .replace("/opt/vspam/vspam-agent.aot", cache.toString())
                .replace("/opt/vspam/vspam-agent.jar", AotTraining.jar().toString());
    }

    /** An exec-form instruction ({@code ENTRYPOINT ["java", ...]}) of the Dockerfile. */
    private static List<String> jsonArray(String dockerfile, String instruction) throws Exception {
        Matcher matcher = Pattern.compile("(?m)^" + instruction + "\\s+(\\[.*])\\s*$").matcher(dockerfile);
        assertThat(matcher.find()).as(instruction + " in exec form").isTrue();
        return JsonMapper.createDefault().readValue(matcher.group(1), Argument.listOf(String.class));
    }

    /** The ENV instructions of the final stage. */
    private static Map<String, String> env(String dockerfile) {
        Map<String, String> env = new LinkedHashMap<>();
        Matcher matcher = Pattern.compile("(?m)^ENV\\s+(\\w+)=(\\S+)\\s*$").matcher(dockerfile.substring(dockerfile.lastIndexOf("\nFROM ")));
        while (matcher.find()) {
            env.put(matcher.group(1), matcher.group(2));
        }
        assertThat(env).containsKey("MALLOC_ARENA_MAX");
        return env;
    }
}
