package org.vspam.agent.packaged;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vspam.agent.MicronautServices;
import org.vspam.agent.testing.AotTraining;
import org.vspam.agent.testing.PackagedAgent;
import org.vspam.agent.testing.PolicyClient;
import org.vspam.agent.testing.Ports;

/** The list of the framework's service entries the build writes into the jar, and a start that uses it. */
class MicronautServicesIT {
    @TempDir
    Path dir;

    @Test
    void theJarsListNamesEveryServiceEntryOfTheJarAndNothingTheJarLacks() throws IOException {
        // read as the JVM reads it: a multi-release jar, some classes under META-INF/versions/
        try (JarFile jar = new JarFile(AotTraining.jar().toFile(), true, ZipFile.OPEN_READ, Runtime.version())) {
            Set<String> listed = new HashSet<>(read(jar, jar.getJarEntry(MicronautServices.INDEX)));
            Set<String> inJar = new HashSet<>();
            for (JarEntry entry : jar.stream().filter(entry -> !entry.isDirectory()).toList()) {
                String name = entry.getName();
                if (name.startsWith("META-INF/micronaut/")) {
                    String[] parts = name.split("/");
                    inJar.add(parts[2] + " " + parts[3]);
                } else if (name.startsWith("META-INF/services/")) {
                    String type = name.substring("META-INF/services/".length());
                    read(jar, entry).stream().map(line -> line.replaceFirst("#.*", "").strip()).filter(line -> !line.isEmpty())
                            .forEach(provider -> inJar.add(type + " " + provider));
                }
            }
            assertThat(inJar).as("the framework's entries, some two hundred").hasSizeGreaterThan(150);
            assertThat(listed).as("every bean definition and service of the jar is listed").containsAll(inJar);
            assertThat(listed).as("every listed class is in the jar").allSatisfy(line ->
                    assertThat(jar.getJarEntry(line.substring(line.indexOf(' ') + 1).replace('.', '/') + ".class")).as(line).isNotNull());
        }
    }

    @Test
    void aStartFromTheJarDoesNotWalkItForTheFrameworksServices() throws Exception {
        int port = Ports.freeTcpPort();
        Path initialized = dir.resolve("initialized.txt");
        PackagedAgent agent = PackagedAgent.start(dir, "agent", """
                api_url: ""
                listen: tcp://localhost:%d
                http_enabled: true
                http_listen: localhost:%d
                dnsbl_enabled: false
                cache_path: ""
                """.formatted(port, Ports.freeTcpPort()), Map.of("JDK_JAVA_OPTIONS", "-Xlog:class+init=info:file=" + initialized), "serve");
        try {
            await("ready").atMost(Duration.ofSeconds(60)).until(() -> agent.log().contains(" ready: policy ") || !agent.alive());
            try (PolicyClient client = PolicyClient.tcp(port)) {
                assertThat(client.ask("user@example.com", "192.0.2.1")).startsWith("action=");
            }
            // Micronaut's own lookup opens the jar as a zip file system and walks it
            assertThat(Files.readString(initialized)).contains("io/micronaut/context/DefaultBeanContext")
                    .doesNotContain("jdk/nio/zipfs/ZipFileSystem'");
        } finally {
            agent.signal("TERM");
            await().atMost(Duration.ofSeconds(30)).until(() -> !agent.alive());
        }
    }

    private static List<String> read(JarFile jar, JarEntry entry) throws IOException {
        try (InputStream in = jar.getInputStream(entry)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        }
    }
}
