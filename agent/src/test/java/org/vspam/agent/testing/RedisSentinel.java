package org.vspam.agent.testing;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.sentinel.api.StatefulRedisSentinelConnection;
import java.io.IOException;
import java.net.SocketAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;

/**
 * A real Redis Sentinel ({@code redis-server --sentinel}, Debian's redis-server) on a free loopback
 * port, watching one master under the name {@link #MASTER}. Quick to act, as a test needs: a master
 * is down after 1 s without an answer, and a failover may take 5 s.
 */
public final class RedisSentinel implements AutoCloseable {
    public static final String MASTER = "vspam";
    private final int port;
    private final Process process;

    private RedisSentinel(int port, Process process) {
        this.port = port;
        this.process = process;
    }

    /** A sentinel of {@code master}; {@code quorum} sentinels must agree it is down. Its config is written in {@code dir}. */
    public static RedisSentinel start(RedisServer master, int quorum, Path dir) throws IOException {
        String binary = Tools.require("redis-server", "apt-get install redis-server").toString();
        int port = Ports.freeTcpPort();
        // Sentinel rewrites its own configuration file as it learns the replicas and the other sentinels.
        Path config = Files.writeString(dir.resolve("sentinel-" + port + ".conf"), """
                port %d
                bind 127.0.0.1
                protected-mode no
                sentinel monitor %s 127.0.0.1 %d %d
                sentinel down-after-milliseconds %s 1000
                sentinel failover-timeout %s 5000
                sentinel parallel-syncs %s 1
                """.formatted(port, MASTER, master.port(), quorum, MASTER, MASTER, MASTER));
        Process process = new ProcessBuilder(binary, config.toString(), "--sentinel", "--loglevel", "warning")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        Awaitility.await("redis sentinel on port " + port).atMost(10, TimeUnit.SECONDS).until(() -> Ports.accepting(port));
        return new RedisSentinel(port, process);
    }

    public int port() {
        return port;
    }

    /** The port of the master this sentinel names now. */
    public int masterPort() {
        RedisClient client = RedisClient.create();
        try (StatefulRedisSentinelConnection<String, String> sentinel = client.connectSentinel(RedisURI.create("redis://127.0.0.1:" + port))) {
            SocketAddress address = sentinel.sync().getMasterAddrByName(MASTER);
            return ((InetSocketAddress) address).getPort();
        } finally {
            client.shutdown();
        }
    }

    /** {@code redis-sentinel://localhost:P1,localhost:P2,…/0#vspam}, by name, as users write it. */
    public static String url(List<RedisSentinel> sentinels) {
        return "redis-sentinel://" + String.join(",", sentinels.stream().map(s -> "localhost:" + s.port).toList()) + "/0#" + MASTER;
    }

    @Override
    public void close() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }
}
