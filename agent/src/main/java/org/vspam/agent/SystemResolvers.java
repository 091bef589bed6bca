package org.vspam.agent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * Whether the system's resolver has a DNS server to ask. Every name the agent resolves goes through the system's resolver
 * (the JVM's for the API and Redis, dnsjava reading the same file for the DNSBL's servers unless {@code dnsbl_resolvers}
 * names them), so a container without {@code /etc/resolv.conf} resolves from {@code /etc/hosts} and asks nobody else:
 * no library falls back to public servers the operator did not choose. The agent says so once at start.
 */
final class SystemResolvers {
    static final Path RESOLV_CONF = Path.of("/etc/resolv.conf");

    private SystemResolvers() {
    }

    static boolean configured() {
        try (Stream<String> lines = Files.lines(RESOLV_CONF)) {
            return lines.map(String::strip).anyMatch(line -> line.startsWith("nameserver"));
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }
}
