package org.vspam.agent.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.xbill.DNS.Lookup;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

/**
 * A real DNS server for the DNSBL zone: Debian's rbldnsd serving {@link ThreatFixtures}' lists on a
 * free loopback port.
 */
public final class Rbldnsd implements AutoCloseable {
    public static final String ZONE = "dnsbl.example.net";

    private Process process;
    private final int port;
    private final Path directory;

    private Rbldnsd(int port, Path directory) {
        this.port = port;
        this.directory = directory;
    }

    public static Rbldnsd start() throws IOException {
        Path directory = Files.createTempDirectory("rbldnsd", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        write(directory.resolve("domains.txt"), ThreatFixtures.DNSBL_DOMAINS);
        write(directory.resolve("ipv4.txt"), ThreatFixtures.DNSBL_IPV4);
        write(directory.resolve("ipv6.txt"), ThreatFixtures.DNSBL_IPV6);
        Rbldnsd server = new Rbldnsd(Ports.freeUdpPort(), directory);
        server.startAgain();
        return server;
    }

    /** Starts (again, after {@link #kill()}) on the same port, as a DNS server coming back looks to the agent. */
    public synchronized void startAgain() throws IOException {
        Path binary = Tools.require("rbldnsd", "apt-get install rbldnsd");
        process = new ProcessBuilder(binary.toString(), "-n", "-f", "-u", "nobody", "-r", directory.toString(),
                "-b", "127.0.0.1/" + port,
                ZONE + ":dnset:domains.txt", ZONE + ":ip4set:ipv4.txt", ZONE + ":ip6trie:ipv6.txt")
                .redirectErrorStream(true)
                .redirectOutput(directory.resolve("rbldnsd.log").toFile())
                .start();
        Awaitility.await("rbldnsd answering on port " + port).atMost(10, TimeUnit.SECONDS).until(this::answers);
    }

    /** Kills the server the hard way, as a crashed resolver. */
    public synchronized void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    public int port() {
        return port;
    }

    public String address() {
        return "127.0.0.1:" + port;
    }

    private boolean answers() throws IOException {
        if (!process.isAlive()) {
            throw new IllegalStateException("rbldnsd exited: " + Files.readString(directory.resolve("rbldnsd.log")));
        }
        Lookup lookup = new Lookup("phish.example.net." + ZONE + ".", Type.A);
        SimpleResolver resolver = new SimpleResolver(InetAddress.getLoopbackAddress());
        resolver.setPort(port);
        resolver.setTimeout(java.time.Duration.ofMillis(200));
        lookup.setResolver(resolver);
        lookup.setCache(null);
        lookup.run();
        return lookup.getResult() == Lookup.SUCCESSFUL;
    }

    private static void write(Path file, String content) throws IOException {
        Files.writeString(file, content);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
    }

    @Override
    public void close() throws IOException {
        process.destroy();
        try {
            process.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try (var files = Files.list(directory)) {
            for (Path file : files.toList()) {
                Files.deleteIfExists(file);
            }
        }
        Files.deleteIfExists(directory);
    }

}
