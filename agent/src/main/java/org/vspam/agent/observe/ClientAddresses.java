package org.vspam.agent.observe;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vspam.config.ClientRange;

/**
 * Watches the client addresses Postfix sends for the sign of a lost client address: when nearly every
 * client is loopback, private, shared or link-local, Postfix sits behind something that hides the
 * real one (a Kubernetes Service with {@code externalTrafficPolicy: Cluster}, a proxy without the
 * PROXY protocol), and no IP listing can ever match. Counted per window; at the end of one where at
 * least {@link #SHARE} of at least {@link #MINIMUM} requests had such addresses, one warning, and
 * again at most once an hour while it lasts; one line when it ends.
 */
public final class ClientAddresses {
    private static final Logger LOG = LoggerFactory.getLogger(ClientAddresses.class);
    static final double SHARE = 0.9;
    static final long MINIMUM = 100;
    private static final Duration REPEAT = Duration.ofHours(1);

    /** The ranges that do not reach the agent from the Internet. */
    enum Range {
        LOOPBACK("loopback (127.0.0.0/8, ::1)"),
        PRIVATE("private (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, fc00::/7)"),
        SHARED("shared (100.64.0.0/10)"),
        LINK_LOCAL("link-local (169.254.0.0/16, fe80::/10)");

        private final String shown;

        Range(String shown) {
            this.shown = shown;
        }
    }

    private final LongAdder total = new LongAdder();
    private final Map<Range, LongAdder> inRange = new EnumMap<>(Range.class);
    private final LongSupplier nanoClock;
    private volatile double share;
    private long warnedAtNanos;
    private boolean warned;

    public ClientAddresses(MeterRegistry registry, LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
        for (Range range : Range.values()) {
            inRange.put(range, new LongAdder());
        }
        Gauge.builder("vspam.client.address.internal.share", this, watch -> watch.share)
                .description("Share of the last window's policy requests whose client_address is loopback, private, shared or link-local; "
                        + "near 1, Postfix is not given the real client address")
                .register(registry);
    }

    /** One request's {@code client_address}, as Postfix sent it; {@code unknown} and the empty value are not counted. */
    public void saw(String clientAddress) {
        Range range = rangeOf(clientAddress);
        if (range != null) {
            inRange.get(range).increment();
            total.increment();
        } else if (!clientAddress.isEmpty() && !clientAddress.equals("unknown")) {
            total.increment();
        }
    }

    /** Ends a window: the share is published, and said when it is high. */
    public synchronized void endWindow() {
        long requests = total.sumThenReset();
        Map<Range, Long> counts = new EnumMap<>(Range.class);
        inRange.forEach((range, count) -> counts.put(range, count.sumThenReset()));
        long internal = counts.values().stream().mapToLong(Long::longValue).sum();
        share = requests == 0 ? 0 : (double) internal / requests;
        long now = nanoClock.getAsLong();
        if (requests >= MINIMUM && share >= SHARE) {
            if (!warned || now - warnedAtNanos >= REPEAT.toNanos()) {
                LOG.warn("{} of the last {} policy requests came from {}: Postfix is not given the clients' real addresses, so no IP "
                        + "listing can match (a Kubernetes Service with externalTrafficPolicy: Cluster, or a proxy without the PROXY "
                        + "protocol); see docs/kubernetes.md, \"The client's address behind a Kubernetes Service\"",
                        percent(share), requests, ranges(counts, requests));
                warned = true;
                warnedAtNanos = now;
            }
        } else if (warned && requests >= MINIMUM) {
            LOG.info("client addresses look real again: {} of the last {} policy requests from internal ranges", percent(share), requests);
            warned = false;
        }
    }

    private static String ranges(Map<Range, Long> counts, long requests) {
        List<String> named = new ArrayList<>();
        counts.forEach((range, count) -> {
            if (count > 0) {
                named.add(range.shown + " " + percent((double) count / requests));
            }
        });
        return String.join(", ", named);
    }

    private static String percent(double share) {
        return String.format(Locale.ROOT, "%.0f%%", share * 100);
    }

    /**
     * The internal range an address is in, or null for a public one or no address: parsed as the
     * allow-lists parse {@code client_address} (an IPv4-mapped IPv6 address is its IPv4 address), and
     * judged by the JDK's own tests where it has them.
     */
    static Range rangeOf(String address) {
        InetAddress ip = ClientRange.address(address).orElse(null);
        if (ip == null) {
            return null;
        }
        if (ip.isLoopbackAddress()) {
            return Range.LOOPBACK;
        }
        if (ip.isLinkLocalAddress()) {
            return Range.LINK_LOCAL;
        }
        byte[] bytes = ip.getAddress();
        if (ip instanceof Inet4Address) {
            if (ip.isSiteLocalAddress()) { // 10/8, 172.16/12, 192.168/16
                return Range.PRIVATE;
            }
            return (bytes[0] & 0xff) == 100 && (bytes[1] & 0xc0) == 64 ? Range.SHARED : null;
        }
        return (bytes[0] & 0xfe) == 0xfc ? Range.PRIVATE : null; // fc00::/7, unique local (the JDK knows only the old fec0::/10)
    }
}
