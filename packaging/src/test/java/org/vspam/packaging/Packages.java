package org.vspam.packaging;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The packages this build made, where the build put them, and the programs that inspect them. */
final class Packages {
    /** The Maven version, as the jar's {@code --version} prints it. */
    static final String VERSION = System.getProperty("packages.version", "0.3.0-SNAPSHOT");
    /** The same version as dpkg and rpm sort it: {@code 0.3.0-SNAPSHOT} is {@code 0.3.0~SNAPSHOT}. */
    static final String PACKAGE_VERSION = VERSION.replace('-', '~');
    static final Path DIR = Path.of(System.getProperty("packages.dir", "target"));
    static final Path SOURCES = Path.of(System.getProperty("packages.sources", "."));

    private Packages() {
    }

    static Path deb() {
        return DIR.resolve("vspam-agent_" + PACKAGE_VERSION + "_amd64.deb");
    }

    static Path rpm() {
        return DIR.resolve("vspam-agent-" + PACKAGE_VERSION + "-1.x86_64.rpm");
    }

    static Path tarball() {
        return DIR.resolve("vspam-agent-" + VERSION + "-linux-amd64.tar.gz");
    }

    /** What {@code command} printed (stdout and stderr) and its exit status. */
    record Result(int status, String output) {
    }

    static Result run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IOException(String.join(" ", command) + " did not finish");
        }
        return new Result(process.exitValue(), output);
    }

    /** Runs {@code command}, which must succeed, and returns its output. */
    static String ok(String... command) throws IOException, InterruptedException {
        Result result = run(command);
        if (result.status() != 0) {
            throw new IOException(String.join(" ", command) + " failed (" + result.status() + "): " + result.output());
        }
        return result.output();
    }

    static List<String> lines(String... command) throws IOException, InterruptedException {
        return ok(command).lines().toList();
    }
}
