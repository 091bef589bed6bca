package org.vspam.agent.testing;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;

/**
 * A real Redis: Debian's redis-server on a free loopback port, without persistence. It can be
 * killed and started again on the same port, as a Redis outage looks to the agent.
 */
public final class RedisServer implements AutoCloseable {
    private final int port;
    private Process process;
    /** The test's own client, made on first use and shut down with the server. */
    private RedisClient client;

    private RedisServer(int port) {
        this.port = port;
    }

    public static RedisServer start() throws IOException {
        RedisServer server = new RedisServer(Ports.freeTcpPort());
        server.startAgain();
        return server;
    }

    /** An address nothing listens on yet; {@link #startAgain()} brings Redis up there later. */
    public static RedisServer notYetStarted() throws IOException {
        return new RedisServer(Ports.freeTcpPort());
    }

    public synchronized void startAgain() throws IOException {
        String binary = Tools.require("redis-server", "apt-get install redis-server").toString();
        process = new ProcessBuilder(binary, "--port", String.valueOf(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                "--daemonize", "no", "--protected-mode", "no", "--loglevel", "warning")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        Awaitility.await("redis-server on port " + port).atMost(10, TimeUnit.SECONDS).until(() -> Ports.accepting(port));
    }

    /** Kills Redis the hard way (SIGKILL), as a crash or a lost node does. */
    public synchronized void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    public String url() {
        return "redis://127.0.0.1:" + port + "/0";
    }

    public int port() {
        return port;
    }

    /** A plain client for the test to look at what the agents stored. */
    public synchronized StatefulRedisConnection<String, String> connect() {
        if (client == null) {
            client = RedisClient.create(url());
        }
        return client.connect();
    }

    @Override
    public synchronized void close() throws InterruptedException {
        if (client != null) {
            client.shutdown();
        }
        if (process != null) {
            kill();
        }
    }
}
