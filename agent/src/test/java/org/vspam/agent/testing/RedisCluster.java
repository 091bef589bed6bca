package org.vspam.agent.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;

/**
 * A real Redis Cluster of three masters and three replicas: Debian's redis-server with
 * {@code cluster-enabled yes} on free loopback ports, made with {@code redis-cli --cluster create},
 * a node declared failed after 1 s without an answer. Nodes can be killed; slots can be moved.
 */
public final class RedisCluster implements AutoCloseable {
    private final List<Integer> ports;
    private final List<Process> nodes;
    /** For a TLS cluster with a password: redis-cli's options to reach a node; empty for a plain one. */
    private final List<String> cliOptions;
    private final String scheme;
    private final String credentials;
    private final Path logs;

    private RedisCluster(List<Integer> ports, List<Process> nodes, List<String> cliOptions, String scheme, String credentials, Path logs) {
        this.logs = logs;
        this.ports = ports;
        this.nodes = nodes;
        this.cliOptions = cliOptions;
        this.scheme = scheme;
        this.credentials = credentials;
    }

    /** Starts six nodes (node files in {@code dir}) and joins them, with one replica per master. */
    public static RedisCluster start(Path dir) throws IOException, InterruptedException {
        return start(dir, List.of(), port -> List.of("--port", String.valueOf(port)), List.of(), "redis-cluster", "");
    }

    /**
     * As managed Redis runs a cluster: TLS only (clients, replication and the cluster bus) with a
     * certificate for {@code localhost} signed by {@code pki}, a password, and nodes that name
     * themselves {@code localhost} to clients. Files go to {@code dir}.
     */
    public static RedisCluster startTls(Path dir, TestPki pki, String password) throws IOException, InterruptedException {
        TestPki.Server certificate = pki.issue("localhost");
        String ca = pki.writeCa(dir.resolve("ca.pem")).toString();
        List<String> tls = List.of("--tls-cert-file", certificate.writeCertificate(dir.resolve("node.crt")).toString(),
                "--tls-key-file", certificate.writeKey(dir.resolve("node.key")).toString(), "--tls-ca-cert-file", ca,
                "--tls-auth-clients", "no", "--tls-cluster", "yes", "--tls-replication", "yes",
                "--requirepass", password, "--masterauth", password,
                "--cluster-announce-hostname", "localhost", "--cluster-preferred-endpoint-type", "hostname");
        return start(dir, tls, port -> List.of("--port", "0", "--tls-port", String.valueOf(port)),
                List.of("--tls", "--cacert", ca, "-a", password, "--no-auth-warning"), "rediss-cluster", ":" + password + "@");
    }

    private static RedisCluster start(Path dir, List<String> options, java.util.function.IntFunction<List<String>> listen,
                                      List<String> cliOptions, String scheme, String credentials) throws IOException, InterruptedException {
        String binary = Tools.require("redis-server", "apt-get install redis-server").toString();
        Tools.require("redis-cli", "apt-get install redis-tools");
        List<Integer> ports = new ArrayList<>();
        List<Process> nodes = new ArrayList<>();
        // Twelve distinct ports, taken before any node binds one: a node's and its cluster bus's (by default the
        // node's plus 10000, which a free port may not leave room for).
        List<Integer> free = freePorts(12);
        for (int i = 0; i < 6; i++) {
            int port = free.get(2 * i);
            ports.add(port);
            int bus = free.get(2 * i + 1);
            // its own directory: a replica writes the master's data it receives to dump.rdb there
            Path home = Files.createDirectories(dir.resolve("node-" + port));
            List<String> command = new ArrayList<>(List.of(binary));
            command.addAll(listen.apply(port));
            command.addAll(List.of("--cluster-port", String.valueOf(bus), "--dir", home.toString(),
                    "--bind", "127.0.0.1", "--cluster-enabled", "yes",
                    "--cluster-config-file", dir.resolve("nodes-" + port + ".conf").toString(), "--cluster-node-timeout", "1000",
                    "--save", "", "--appendonly", "no", "--protected-mode", "no", "--loglevel", "notice",
                    // a replica syncs at once instead of after 5 s: until then it could not take over from its master
                    "--repl-diskless-sync-delay", "0"));
            command.addAll(options);
            nodes.add(new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(home.resolve("redis.log").toFile()).start());
        }
        for (int port : ports) {
            Awaitility.await("redis-server on port " + port).atMost(10, TimeUnit.SECONDS).until(() -> Ports.accepting(port));
        }
        RedisCluster cluster = new RedisCluster(ports, nodes, cliOptions, scheme, credentials, dir);
        List<String> create = new ArrayList<>(List.of("redis-cli"));
        create.addAll(cliOptions);
        create.addAll(List.of("--cluster", "create"));
        ports.forEach(port -> create.add("127.0.0.1:" + port));
        create.addAll(List.of("--cluster-replicas", "1", "--cluster-yes"));
        try {
            Commands.run(create);
        } catch (IOException e) {
            cluster.close();
            throw e;
        }
        for (int port : ports) {
            Awaitility.await("the cluster seen as ok from " + port).atMost(30, TimeUnit.SECONDS)
                    .until(() -> cluster.cli(port, "cluster", "info").contains("cluster_state:ok"));
        }
        // A replica that has not finished its first sync would never be promoted when its master dies.
        for (int port : ports) {
            Awaitility.await("node " + port + " a master or a synced replica").atMost(30, TimeUnit.SECONDS).until(() -> {
                String replication = cluster.cli(port, "info", "replication");
                return replication.contains("role:master") || replication.contains("master_link_status:up");
            });
        }
        return cluster;
    }

    private static List<Integer> freePorts(int count) throws IOException {
        List<java.net.ServerSocket> held = new ArrayList<>();
        try {
            for (int i = 0; i < count; i++) {
                held.add(new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress()));
            }
            return held.stream().map(java.net.ServerSocket::getLocalPort).toList();
        } finally {
            for (java.net.ServerSocket socket : held) {
                socket.close();
            }
        }
    }

    /** {@code redis-cli -p PORT ARGS}. */
    public String cli(int port, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("redis-cli"));
        command.addAll(cliOptions);
        command.addAll(List.of("-p", String.valueOf(port)));
        command.addAll(List.of(args));
        return Commands.run(command);
    }

    /** {@code redis-cluster://localhost:P1,localhost:P2} (or {@code rediss-cluster://:PASSWORD@…}): two seeds, by name, as users write it. */
    public String url() {
        return scheme + "://" + credentials + "localhost:" + ports.get(0) + ",localhost:" + ports.get(1);
    }

    public List<Integer> ports() {
        return List.copyOf(ports);
    }

    /** The port of the master serving {@code key}'s slot now, as the node at {@code askedPort} sees the cluster. */
    public int masterOf(String key, int askedPort) throws IOException, InterruptedException {
        long slot = Long.parseLong(cli(askedPort, "cluster", "keyslot", key).strip());
        // CLUSTER NODES: "<id> <ip:port@cport> <flags> <master> <ping> <pong> <epoch> <link> <slot ranges...>"
        for (String line : cli(askedPort, "cluster", "nodes").lines().toList()) {
            String[] fields = line.split(" ");
            if (fields.length < 9 || !fields[2].contains("master") || fields[2].contains("fail")) {
                continue;
            }
            for (int i = 8; i < fields.length; i++) {
                String[] range = fields[i].split("-");
                if (!range[0].matches("\\d+")) {
                    continue; // a slot being imported or migrated: "[slot->-id]"
                }
                long from = Long.parseLong(range[0]);
                long to = range.length > 1 ? Long.parseLong(range[1]) : from;
                if (from <= slot && slot <= to) {
                    return Integer.parseInt(fields[1].substring(fields[1].indexOf(':') + 1, fields[1].indexOf('@')));
                }
            }
        }
        throw new IllegalStateException("no master for slot " + slot);
    }

    /** The cluster as the live nodes see it, and the end of every node's log: for a test that fails. */
    public String diagnosis() {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < ports.size(); i++) {
            int port = ports.get(i);
            try {
                text.append("node ").append(port).append(nodes.get(i).isAlive() ? "" : " (dead)").append(":\n");
                if (nodes.get(i).isAlive()) {
                    text.append(cli(port, "cluster", "nodes"));
                }
                List<String> log = Files.readAllLines(logs.resolve("node-" + port).resolve("redis.log"));
                log.subList(Math.max(0, log.size() - 15), log.size()).forEach(line -> text.append("  ").append(line).append('\n'));
            } catch (IOException | InterruptedException | RuntimeException e) {
                text.append("  (").append(e).append(")\n");
            }
        }
        return text.toString();
    }

    /** Kills the node on {@code port} the hard way (SIGKILL). */
    public void kill(int port) throws InterruptedException {
        Process node = nodes.get(ports.indexOf(port));
        node.destroyForcibly();
        node.waitFor(10, TimeUnit.SECONDS);
    }

    @Override
    public synchronized void close() throws InterruptedException {
        for (Process node : nodes) {
            node.destroyForcibly();
            node.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
