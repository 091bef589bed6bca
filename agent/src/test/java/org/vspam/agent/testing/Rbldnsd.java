package org.vspam.agent.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.xbill.DNS.Lookup;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

/**
 * A real DNS server for the DNSBL zone: Debian's rbldnsd serving {@link ThreatFixtures}' lists on a
 * free loopback port, or on another host's address ({@link #startOn}, for the network fault test).
 */
public final class Rbldnsd implements AutoCloseable {
    public static final String ZONE = "dnsbl.example.net";

    private Process process;
    private final List<String> host;
    private final String address;
    private final int port;
    private final Path directory;

    private Rbldnsd(List<String> host, String address, int port, Path directory) {
        this.host = host;
        this.address = address;
        this.port = port;
        this.directory = directory;
    }

    public static Rbldnsd start() throws IOException {
        return startOn(List.of(), "127.0.0.1", Ports.freeUdpPort());
    }

    /** On another host: {@code host} runs a command there ({@code ip netns exec NAME}), {@code address} is that host's. */
    public static Rbldnsd startOn(List<String> host, String address, int port) throws IOException {
        Path directory = Files.createTempDirectory("rbldnsd", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        write(directory.resolve("domains.txt"), ThreatFixtures.DNSBL_DOMAINS);
        write(directory.resolve("ipv4.txt"), ThreatFixtures.DNSBL_IPV4);
        write(directory.resolve("ipv6.txt"), ThreatFixtures.DNSBL_IPV6);
        Rbldnsd server = new Rbldnsd(host, address, port, directory);
        server.startAgain();
        return server;
    }

    /** Starts (again, after {@link #kill()}) on the same port, as a DNS server coming back looks to the agent. */
    public synchronized void startAgain() throws IOException {
        Path binary = Tools.require("rbldnsd", "apt-get install rbldnsd");
        List<String> command = new ArrayList<>(host);
        command.addAll(List.of(binary.toString(), "-n", "-f", "-u", "nobody", "-r", directory.toString(), "-b", address + "/" + port,
                ZONE + ":dnset:domains.txt", ZONE + ":ip4set:ipv4.txt", ZONE + ":ip6trie:ipv6.txt"));
        process = new ProcessBuilder(command)
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
        return address + ":" + port;
    }

    /** Asked from this host; on another host's address, started is as far as this host can tell. */
    private boolean answers() throws IOException {
        if (!process.isAlive()) {
            throw new IllegalStateException("rbldnsd exited: " + Files.readString(directory.resolve("rbldnsd.log")));
        }
        if (!host.isEmpty()) {
            return Files.readString(directory.resolve("rbldnsd.log")).contains(" started ");
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
