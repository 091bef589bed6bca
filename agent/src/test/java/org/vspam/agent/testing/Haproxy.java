package org.vspam.agent.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;

/** Debian's HAProxy in front of a TCP server on loopback, as a cloud load balancer stands in front of Postfix. */
public final class Haproxy implements AutoCloseable {
    /** What HAProxy tells the server about the client: nothing, or the PROXY protocol's version 1 or 2 header. */
    public enum Proxy {
        NONE(""), V1(" send-proxy"), V2(" send-proxy-v2");

        private final String option;

        Proxy(String option) {
            this.option = option;
        }
    }

    private final Process process;
    private final int port;
    private final Path directory;

    private Haproxy(Process process, int port, Path directory) {
        this.process = process;
        this.port = port;
        this.directory = directory;
    }

    public static Haproxy start(int serverPort, Proxy proxy) throws Exception {
        Path haproxy = Tools.require("haproxy", "apt-get install haproxy");
        Path directory = Files.createTempDirectory("vspam-haproxy");
        int port = Ports.freeTcpPort();
        Path config = directory.resolve("haproxy.cfg");
        Files.writeString(config, """
                defaults
                    mode tcp
                    timeout connect 5s
                    timeout client 30s
                    timeout server 30s
                frontend smtp
                    bind 127.0.0.1:%d
                    default_backend postfix
                backend postfix
                    server postfix 127.0.0.1:%d%s
                """.formatted(port, serverPort, proxy.option));
        Process process = new ProcessBuilder(List.of(haproxy.toString(), "-db", "-f", config.toString()))
                .redirectErrorStream(true).redirectOutput(directory.resolve("haproxy.log").toFile()).start();
        Awaitility.await("HAProxy listening on port " + port).atMost(20, TimeUnit.SECONDS)
                .until(() -> Ports.accepting(port) || !process.isAlive());
        if (!process.isAlive()) {
            throw new IllegalStateException("haproxy did not start: " + Files.readString(directory.resolve("haproxy.log")));
        }
        return new Haproxy(process, port, directory);
    }

    public int port() {
        return port;
    }

    @Override
    public void close() throws IOException, InterruptedException {
        process.destroy();
        process.waitFor(10, TimeUnit.SECONDS);
        Files.deleteIfExists(directory.resolve("haproxy.cfg"));
        Files.deleteIfExists(directory.resolve("haproxy.log"));
        Files.deleteIfExists(directory);
    }
}
