package org.vspam.agent.testing;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The packaged agent as users run it: {@code java @agent.jvm.options -jar vspam-agent.jar --config
 * agent.yml ARGS}, in its own JVM, with the image's flags and a configuration file written the way
 * people write one. Its output (the log) goes to a file the test reads.
 */
public final class PackagedAgent implements AutoCloseable {
    private final Process process;
    private final Path log;

    private PackagedAgent(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /** Starts {@code serve} with {@code yaml} as its agent.yml and waits until it is ready (or has exited). */
    public static PackagedAgent serve(Path dir, String name, String yaml) throws IOException {
        PackagedAgent agent = start(dir, name, yaml, Map.of(), "serve");
        await(name + " ready").atMost(Duration.ofSeconds(60)).until(() -> agent.log().contains(" ready: policy ") || !agent.process.isAlive());
        return agent;
    }

    /** Starts the jar with {@code args} after {@code --config}; {@code env} is added to this process's environment. */
    public static PackagedAgent start(Path dir, String name, String yaml, Map<String, String> env, String... args) throws IOException {
        return start(List.of(), dir, name, yaml, env, args);
    }

    /** As {@link #start(Path, String, String, Map, String...)}, the command run through {@code launcher} (e.g. {@code ip netns exec NS}). */
    public static PackagedAgent start(List<String> launcher, Path dir, String name, String yaml, Map<String, String> env, String... args)
            throws IOException {
        return startWithConfig(launcher, Files.writeString(dir.resolve(name + ".yml"), yaml), dir, name, env, args);
    }

    /** As {@link #start(List, Path, String, String, Map, String...)}, with {@code config} as the file given to {@code --config}. */
    public static PackagedAgent startWithConfig(List<String> launcher, Path config, Path dir, String name, Map<String, String> env, String... args)
            throws IOException {
        Path log = dir.resolve(name + ".log");
        List<String> command = new ArrayList<>(launcher);
        command.addAll(List.of(ProcessHandle.current().info().command().orElse("java"),
                "@" + AotTraining.jvmOptions(), "-jar", AotTraining.jar().toString(), "--config", config.toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        builder.environment().keySet().removeIf(key -> key.startsWith("VSPAM_") || key.toLowerCase(java.util.Locale.ROOT).endsWith("_proxy"));
        builder.environment().putAll(env);
        return new PackagedAgent(builder.start(), log);
    }

    /** Everything it printed so far. */
    public String log() throws IOException {
        return Files.readString(log);
    }

    /** How many log lines contain {@code text}. */
    public long lines(String text) throws IOException {
        return log().lines().filter(line -> line.contains(text)).count();
    }

    /** Sends {@code signal} ({@code HUP}, ...) as {@code kill -SIGNAL} does. */
    public void signal(String signal) throws IOException, InterruptedException {
        Commands.run(List.of("kill", "-" + signal, Long.toString(process.pid())));
    }

    /** Its process id (the JVM's: {@code ip netns exec} replaces itself with the command). */
    public long pid() {
        return process.pid();
    }

    public boolean alive() {
        return process.isAlive();
    }

    /** Waits for a command that ends by itself, and returns its exit status. */
    public int exitStatus() throws InterruptedException {
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("the packaged agent did not exit");
        }
        return process.exitValue();
    }

    /** Sends SIGTERM, as systemd and Kubernetes stop it, without waiting. */
    public void terminate() {
        process.destroy();
    }

    /** SIGTERM, as systemd and Kubernetes stop it, and waits for the exit. */
    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
