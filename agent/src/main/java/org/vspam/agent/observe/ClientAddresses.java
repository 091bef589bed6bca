package org.vspam.agent.observe;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.util.NetUtil;
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
                        + "protocol); see the README, \"The client's address behind a Kubernetes Service\"",
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

    /** The internal range an address is in, or null for a public one or no address. */
    static Range rangeOf(String address) {
        int a = leadingOctet(address, 0);
        if (a >= 0) { // the usual dotted quad: no parse beyond its first two numbers
            int dot = address.indexOf('.');
            int b = leadingOctet(address, dot + 1);
            return ipv4Range(a, b);
        }
        if (address.indexOf(':') < 0) {
            return null;
        }
        byte[] bytes = NetUtil.createByteArrayFromIpAddressString(address);
        if (bytes == null) {
            return null;
        }
        boolean zeros = true; // the first ten bytes: ::1 and the IPv4-mapped ::ffff:a.b.c.d start so
        for (int i = 0; i < 10 && zeros; i++) {
            zeros = bytes[i] == 0;
        }
        if (zeros && bytes[10] == (byte) 0xff && bytes[11] == (byte) 0xff) {
            return ipv4Range(bytes[12] & 0xff, bytes[13] & 0xff);
        }
        if (zeros && bytes[10] == 0 && bytes[11] == 0 && bytes[12] == 0 && bytes[13] == 0 && bytes[14] == 0 && bytes[15] == 1) {
            return Range.LOOPBACK;
        }
        if ((bytes[0] & 0xfe) == 0xfc) {
            return Range.PRIVATE;
        }
        return (bytes[0] & 0xff) == 0xfe && (bytes[1] & 0xc0) == 0x80 ? Range.LINK_LOCAL : null;
    }

    private static Range ipv4Range(int a, int b) {
        if (a == 127) {
            return Range.LOOPBACK;
        }
        if (a == 10 || (a == 172 && b >= 16 && b <= 31) || (a == 192 && b == 168)) {
            return Range.PRIVATE;
        }
        if (a == 100 && b >= 64 && b <= 127) {
            return Range.SHARED;
        }
        return a == 169 && b == 254 ? Range.LINK_LOCAL : null;
    }

    /** The decimal number of at most 3 digits followed by a dot at {@code from}, or -1. */
    private static int leadingOctet(String address, int from) {
        int value = 0;
        int i = from;
        while (i < address.length() && i - from < 3 && address.charAt(i) >= '0' && address.charAt(i) <= '9') {
            value = value * 10 + address.charAt(i) - '0';
            i++;
        }
        return i > from && i < address.length() && address.charAt(i) == '.' && value <= 255 ? value : -1;
    }
}
