package org.vspam.agent.testing;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;

/**
 * A real Redis: Debian's redis-server on a free loopback port, without persistence. It can be
 * killed and started again on the same port, as a Redis outage looks to the agent.
 */
public final class RedisServer implements AutoCloseable {
    private final int port;
    /** How Redis listens: plain on the port, or TLS only with the test's certificate. */
    private final List<String> listening;
    private final String scheme;
    private Process process;
    private Path home;
    /** The test's own client, made on first use and shut down with the server. */
    private RedisClient client;

    private RedisServer(int port, List<String> listening, String scheme) {
        this.port = port;
        this.listening = List.copyOf(listening);
        this.scheme = scheme;
    }

    private static RedisServer plain(int port) {
        return new RedisServer(port, List.of("--port", String.valueOf(port)), "redis");
    }

    public static RedisServer start() throws IOException {
        RedisServer server = plain(Ports.freeTcpPort());
        server.startAgain();
        return server;
    }

    /**
     * Redis over TLS only, as self-hosted Redis in a cluster usually is: a certificate for
     * {@code localhost} signed by {@code pki}, files in {@code dir}; clients need not show one.
     */
    public static RedisServer startTls(TestPki pki, Path dir) throws IOException {
        int port = Ports.freeTcpPort();
        TestPki.Server certificate = pki.issue("localhost");
        RedisServer server = new RedisServer(port, List.of("--port", "0", "--tls-port", String.valueOf(port),
                "--tls-cert-file", certificate.writeCertificate(dir.resolve("redis.crt")).toString(),
                "--tls-key-file", certificate.writeKey(dir.resolve("redis.key")).toString(),
                "--tls-ca-cert-file", pki.writeCa(dir.resolve("redis-ca.pem")).toString(),
                "--tls-auth-clients", "no"), "rediss");
        server.startAgain();
        return server;
    }

    /** A replica of {@code master}, as Sentinel-managed Redis runs one. */
    public static RedisServer startReplicaOf(RedisServer master) throws IOException {
        int port = Ports.freeTcpPort();
        RedisServer server = new RedisServer(port, List.of("--port", String.valueOf(port), "--replicaof", "127.0.0.1",
                String.valueOf(master.port)), "redis");
        server.startAgain();
        return server;
    }

    /** An address nothing listens on yet; {@link #startAgain()} brings Redis up there later. */
    public static RedisServer notYetStarted() throws IOException {
        return plain(Ports.freeTcpPort());
    }

    public synchronized void startAgain() throws IOException {
        if (home == null) {
            home = java.nio.file.Files.createTempDirectory("vspam-redis-" + port + "-");
        }
        String binary = Tools.require("redis-server", "apt-get install redis-server").toString();
        List<String> command = new ArrayList<>(List.of(binary));
        command.addAll(listening);
        // A directory of its own: a replica writes the data it receives from its master to dump.rdb there, which
        // every later Redis started in the same directory would load.
        command.addAll(List.of("--dir", home.toString()));
        command.addAll(List.of("--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                "--daemonize", "no", "--protected-mode", "no", "--loglevel", "warning"));
        process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        Awaitility.await("redis-server on port " + port).atMost(10, TimeUnit.SECONDS).until(() -> Ports.accepting(port));
    }

    /** Kills Redis the hard way (SIGKILL), as a crash or a lost node does. */
    public synchronized void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    public String url() {
        return scheme + "://127.0.0.1:" + port + "/0";
    }

    /** The URL by name, as users write it. */
    public String urlByName() {
        return scheme + "://localhost:" + port + "/0";
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
        if (home != null) {
            try {
                Commands.run(List.of("rm", "-rf", home.toString()));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }
}
