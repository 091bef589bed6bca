package org.vspam.agent.dnsbl;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vspam.config.HostPort;
import org.xbill.DNS.ExtendedResolver;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.ResolverConfig;
import org.xbill.DNS.SimpleResolver;

/**
 * The DNS servers the DNSBL is asked through: {@code dnsbl_resolvers}, by address or by name (in a
 * cluster, {@code kube-dns.kube-system.svc}), or the system's own. Names are resolved with the JVM's
 * resolver (glibc, {@code /etc/hosts}, the search list), once at start and never on a policy loop;
 * a name that does not resolve yet is retried in the background, and until then DNSBL lookups fail
 * with that reason instead of stopping the agent.
 */
public final class DnsblResolvers implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DnsblResolvers.class);
    static final Duration RETRY = Duration.ofSeconds(5);

    private final List<HostPort> configured;
    private final Duration timeout;
    private final String description;
    private final ScheduledExecutorService retries = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("vspam-dnsbl-resolve").daemon(true).factory());
    private volatile Resolver resolver;
    private volatile String problem = "";

    public DnsblResolvers(List<HostPort> configured, Duration timeout) {
        this.configured = List.copyOf(configured);
        this.timeout = timeout;
        this.description = configured.isEmpty()
                ? "the system's resolvers (" + ResolverConfig.getCurrentConfig().servers().stream().map(DnsblResolvers::show)
                        .collect(Collectors.joining(", ")) + ")"
                : configured.stream().map(HostPort::toString).collect(Collectors.joining(", "));
        if (!resolve()) {
            LOG.warn("dnsbl_resolvers: {}; the DNSBL is not asked until it resolves (retrying every {}s)", problem, RETRY.toSeconds());
            retries.scheduleWithFixedDelay(this::retry, RETRY.toMillis(), RETRY.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** The resolver, once every configured name has an address. */
    Optional<Resolver> current() {
        return Optional.ofNullable(resolver);
    }

    /** Why {@link #current()} is empty. */
    String problem() {
        return problem;
    }

    /** The servers as the operator wrote them, for log lines. */
    public String description() {
        return description;
    }

    private void retry() {
        if (resolve()) {
            LOG.info("dnsbl_resolvers: {} resolved; asking the DNSBL through it", description);
            retries.shutdown();
        }
    }

    private boolean resolve() {
        try {
            ExtendedResolver built;
            if (configured.isEmpty()) {
                built = new ExtendedResolver();
            } else {
                List<Resolver> servers = new ArrayList<>();
                for (HostPort server : configured) {
                    servers.add(new SimpleResolver(new InetSocketAddress(address(server.host()), server.port())));
                }
                built = new ExtendedResolver(servers);
            }
            built.setTimeout(timeout);
            for (Resolver server : built.getResolvers()) {
                server.setTimeout(timeout); // each server keeps its own (dnsjava's default: 10 s), whatever the ExtendedResolver's
            }
            built.setRetries(1);
            resolver = built;
            return true;
        } catch (UnknownHostException e) {
            problem = "cannot resolve " + e.getMessage();
            return false;
        }
    }

    private static InetAddress address(String host) throws UnknownHostException {
        try {
            return InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            throw new UnknownHostException("resolver host \"" + host + "\"");
        }
    }

    private static String show(InetSocketAddress server) {
        return new HostPort(server.getAddress().getHostAddress(), server.getPort()).toString();
    }

    @Override
    public void close() {
        retries.shutdownNow();
    }
}
