package org.vspam.agent.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** Records the agent's AOT cache with images/aot-training.sh, as the image build does. */
public final class AotTraining {
    private AotTraining() {
    }

    /** The repository's root, seen from the agent module where tests and benchmarks run. */
    public static Path root() {
        Path here = Path.of("").toAbsolutePath();
        return Files.exists(here.resolve("images")) ? here : here.getParent();
    }

    public static Path jar() {
        return root().resolve("agent/target/vspam-agent.jar");
    }

    public static Path jvmOptions() {
        return root().resolve("images/agent.jvm.options");
    }

    /** Runs the training with the packaged jar and the image's flags, writing {@code cache}; its output goes to {@code log}. */
    public static Path record(Path cache, Path log) throws IOException, InterruptedException {
        Process training = new ProcessBuilder("bash", root().resolve("images/aot-training.sh").toString(), jar().toString(), cache.toString(),
                jvmOptions().toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!training.waitFor(3, TimeUnit.MINUTES) || training.exitValue() != 0 || !Files.isRegularFile(cache)) {
            throw new IOException("images/aot-training.sh failed: " + Files.readString(log));
        }
        return cache;
    }
}
