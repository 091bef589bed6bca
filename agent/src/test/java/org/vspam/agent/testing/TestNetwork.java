package org.vspam.agent.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Two hosts of the test's own: network namespaces {@code servers} and {@code agent} joined by a veth
 * pair (10.77.0.1 and 10.77.0.2), made with iproute2, with names for the servers' address in the agent's
 * {@code /etc/hosts} ({@code ip netns exec} mounts {@code /etc/netns/NAME/hosts} there). Faults are
 * iptables rules on the agent's side and the link's state; nothing outside the two namespaces changes.
 * Needs root, iproute2 and iptables.
 */
public final class TestNetwork implements AutoCloseable {
    public static final String SERVER_ADDRESS = "10.77.0.1";
    private final String servers;
    private final String agent;
    private final String agentLink;
    private final Path hosts;

    private TestNetwork(String servers, String agent, String agentLink, Path hosts) {
        this.servers = servers;
        this.agent = agent;
        this.agentLink = agentLink;
        this.hosts = hosts;
    }

    /** Makes the two namespaces; {@code names} are host names of the servers' address, for the agent. */
    public static TestNetwork create(String... names) throws IOException, InterruptedException {
        Tools.require("ip", "apt-get install iproute2");
        Tools.require("iptables", "apt-get install iptables");
        long id = ProcessHandle.current().pid() % 100_000;
        String servers = "vspam-srv-" + id;
        String agent = "vspam-agt-" + id;
        String serverLink = "vsrv" + id;
        String agentLink = "vagt" + id;
        for (String ns : List.of(servers, agent)) {
            Commands.run(List.of("ip", "netns", "del", ns), false);
            Commands.run(List.of("ip", "netns", "add", ns));
            Commands.run(List.of("ip", "-n", ns, "link", "set", "lo", "up"));
        }
        Commands.run(List.of("ip", "link", "add", serverLink, "type", "veth", "peer", "name", agentLink));
        Commands.run(List.of("ip", "link", "set", serverLink, "netns", servers));
        Commands.run(List.of("ip", "link", "set", agentLink, "netns", agent));
        Commands.run(List.of("ip", "-n", servers, "addr", "add", SERVER_ADDRESS + "/30", "dev", serverLink));
        Commands.run(List.of("ip", "-n", agent, "addr", "add", "10.77.0.2/30", "dev", agentLink));
        Commands.run(List.of("ip", "-n", servers, "link", "set", serverLink, "up"));
        Commands.run(List.of("ip", "-n", agent, "link", "set", agentLink, "up"));
        Path hosts = Path.of("/etc/netns", agent, "hosts");
        Files.createDirectories(hosts.getParent());
        Files.writeString(hosts, "127.0.0.1 localhost\n" + SERVER_ADDRESS + " " + String.join(" ", names) + "\n");
        return new TestNetwork(servers, agent, agentLink, hosts);
    }

    /** {@code ip netns exec SERVERS}: what runs a command on the servers' host. */
    public List<String> onServers() {
        return List.of("ip", "netns", "exec", servers);
    }

    /** {@code ip netns exec AGENT}: what runs a command on the agent's host. */
    public List<String> onAgent() {
        return List.of("ip", "netns", "exec", agent);
    }

    /** Drops this share (0 to 1) of the agent's packets to the servers; 1 is a blackhole. */
    public void loss(double share) throws IOException, InterruptedException {
        heal();
        List<String> rule = new ArrayList<>(onAgent());
        rule.addAll(List.of("iptables", "-A", "OUTPUT", "-d", SERVER_ADDRESS));
        if (share < 1) {
            rule.addAll(List.of("-m", "statistic", "--mode", "random", "--probability", String.valueOf(share)));
        }
        rule.addAll(List.of("-j", "DROP"));
        Commands.run(rule);
    }

    /** Cuts the agent off from one server's TCP port only. */
    public void cut(int port) throws IOException, InterruptedException {
        heal();
        List<String> rule = new ArrayList<>(onAgent());
        rule.addAll(List.of("iptables", "-A", "OUTPUT", "-d", SERVER_ADDRESS, "-p", "tcp", "--dport", String.valueOf(port), "-j", "DROP"));
        Commands.run(rule);
    }

    /** Takes the agent's end of the link down or up. */
    public void link(boolean up) throws IOException, InterruptedException {
        Commands.run(List.of("ip", "-n", agent, "link", "set", agentLink, up ? "up" : "down"));
    }

    /**
     * Counts the agent's attempts to open a TCP connection to these ports of the servers (SYNs, the
     * kernel's own retries included), before any fault can drop them: in the mangle table, which
     * {@link #heal} leaves alone.
     */
    public void countConnectionAttempts(int... ports) throws IOException, InterruptedException {
        for (int port : ports) {
            List<String> rule = new ArrayList<>(onAgent());
            rule.addAll(List.of("iptables", "-t", "mangle", "-A", "OUTPUT", "-d", SERVER_ADDRESS, "-p", "tcp", "--syn", "--dport",
                    String.valueOf(port)));
            Commands.run(rule);
        }
    }

    /** The attempts counted so far to {@code port}. */
    public long connectionAttempts(int port) throws IOException, InterruptedException {
        List<String> list = new ArrayList<>(onAgent());
        list.addAll(List.of("iptables", "-t", "mangle", "-L", "OUTPUT", "-v", "-x", "-n"));
        for (String line : Commands.run(list).lines().toList()) {
            if (line.contains("dpt:" + port)) {
                return Long.parseLong(line.strip().split("\\s+")[0]);
            }
        }
        throw new IllegalStateException("no connection count for port " + port + "; countConnectionAttempts first");
    }

    /**
     * The agent's host as a container without DNS servers: an empty {@code /etc/resolv.conf} (what {@code ip netns exec} mounts
     * over the real one), and a default route over the link, so that a query to any server at all (a library's fallback to
     * public resolvers among them) would leave on the link, where {@link #dnsQueriesBeyondTheServers} counts it. Before the agent starts.
     */
    public void withoutDnsServers() throws IOException, InterruptedException {
        Files.writeString(hosts.resolveSibling("resolv.conf"), "");
        Commands.run(List.of("ip", "-n", agent, "route", "add", "default", "via", SERVER_ADDRESS));
        for (String protocol : List.of("udp", "tcp")) {
            List<String> rule = new ArrayList<>(onAgent());
            rule.addAll(List.of("iptables", "-t", "mangle", "-A", "OUTPUT", "-o", agentLink, "!", "-d", SERVER_ADDRESS, "-p", protocol,
                    "--dport", "53"));
            Commands.run(rule);
        }
    }

    /** DNS queries (UDP and TCP packets to port 53) that left on the link for any server but the servers' host; after {@link #withoutDnsServers}. */
    public long dnsQueriesBeyondTheServers() throws IOException, InterruptedException {
        List<String> list = new ArrayList<>(onAgent());
        list.addAll(List.of("iptables", "-t", "mangle", "-L", "OUTPUT", "-v", "-x", "-n"));
        long queries = 0;
        int rules = 0;
        for (String line : Commands.run(list).lines().toList()) {
            if (line.contains("dpt:53")) {
                queries += Long.parseLong(line.strip().split("\\s+")[0]);
                rules++;
            }
        }
        if (rules != 2) {
            throw new IllegalStateException("no count of DNS queries; withoutDnsServers first");
        }
        return queries;
    }

    /** Lifts every fault. */
    public void heal() throws IOException, InterruptedException {
        List<String> flush = new ArrayList<>(onAgent());
        flush.addAll(List.of("iptables", "-F", "OUTPUT"));
        Commands.run(flush);
        link(true);
    }

    @Override
    public void close() throws IOException, InterruptedException {
        for (String ns : List.of(servers, agent)) {
            Commands.run(List.of("ip", "netns", "del", ns), false);
        }
        Files.deleteIfExists(hosts);
        Files.deleteIfExists(hosts.resolveSibling("resolv.conf"));
        Files.deleteIfExists(hosts.getParent());
    }
}
