package org.vspam.agent.build;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.vspam.agent.testing.AotTraining;

/** A newcomer's first {@code ./mvnw} on a machine whose default Java is older than 25 (Debian's is 17). */
class MavenWrapperTest {

    @Test
    void anOlderJavaGetsOneLineNamingTheJdkToUse() throws Exception {
        Optional<Path> older = olderJdk();
        assumeTrue(older.isPresent(), "no JDK older than 25 under /usr/lib/jvm to try the wrapper with");
        ProcessBuilder wrapper = new ProcessBuilder("sh", AotTraining.root().resolve("mvnw").toString(), "verify")
                .directory(AotTraining.root().toFile()).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        wrapper.environment().put("JAVA_HOME", older.get().toString());
        Process process = wrapper.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();

        assertThat(process.exitValue()).isEqualTo(1);
        assertThat(output.strip()).as("one line, before any JVM option the old Java refuses")
                .matches("vspam-agent builds with Java 25 or newer, and " + older.get() + "/bin/java is Java \\d+: "
                        + "export JAVA_HOME=/\\S+")
                .doesNotContain("Unrecognized option");
    }

    private static Optional<Path> olderJdk() throws IOException {
        Path jvms = Path.of("/usr/lib/jvm");
        if (!Files.isDirectory(jvms)) {
            return Optional.empty();
        }
        try (Stream<Path> all = Files.list(jvms)) {
            return all.filter(jdk -> Files.isExecutable(jdk.resolve("bin/javac")) && !Files.isSymbolicLink(jdk))
                    .filter(jdk -> jdk.getFileName().toString().matches(".*-(1[1-9]|2[0-4])-.*")).findFirst();
        }
    }
}
