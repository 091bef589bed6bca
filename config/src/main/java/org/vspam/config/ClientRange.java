package org.vspam.config;

import java.net.InetAddress;
import java.util.Optional;

/**
 * An address or CIDR range of clients ({@code 192.0.2.0/24}, {@code 2001:db8::/32},
 * {@code 198.51.100.7}). Written without a prefix it is one address. Host bits are ignored, as
 * Postfix's cidr tables ignore them: {@code 192.0.2.9/24} is {@code 192.0.2.0/24}.
 *
 * @param written as the operator wrote it, for messages
 * @param origin  where it was written ({@code allow_clients}, or a line of {@code allow_file})
 */
public record ClientRange(InetAddress network, int prefix, String written, String origin) {
    /**
     * What a client range looks like, for schemas that check before the agent parses (the CRD): an
     * IPv4 address with an optional /0-32, or an IPv6 one (it has a colon) with an optional /0-128.
     * Written for RE2 and Java alike.
     */
    public static final String PATTERN = "^(((25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])[.]){3}(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])"
            + "(/(3[0-2]|[12]?[0-9]))?|[0-9A-Fa-f.]*:[0-9A-Fa-f:.]*(/(12[0-8]|1[01][0-9]|[1-9]?[0-9]))?)$";

    public boolean contains(InetAddress client) {
        byte[] wanted = network.getAddress();
        byte[] actual = client.getAddress();
        if (wanted.length != actual.length) {
            return false;
        }
        int whole = prefix / 8;
        for (int i = 0; i < whole; i++) {
            if (wanted[i] != actual[i]) {
                return false;
            }
        }
        int rest = prefix % 8;
        if (rest == 0) {
            return true;
        }
        int mask = 0xff << (8 - rest) & 0xff;
        return (wanted[whole] & mask) == (actual[whole] & mask);
    }

    /** An address as a client sends it ({@code client_address}): a literal, never a name to resolve. */
    public static Optional<InetAddress> address(String text) {
        String value = text.strip();
        if (value.startsWith("[") && value.endsWith("]")) {
            value = value.substring(1, value.length() - 1);
        }
        if (value.startsWith("IPv6:") || value.startsWith("ipv6:")) {
            value = value.substring(5);
        }
        try {
            return Optional.of(InetAddress.ofLiteral(value));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    static ClientRange parse(String text, String origin) {
        String value = text.strip();
        int slash = value.indexOf('/');
        String address = slash < 0 ? value : value.substring(0, slash);
        InetAddress network = address(address).orElseThrow(() -> new IllegalArgumentException(
                "has \"" + value + "\", which is not an IP address or CIDR range (e.g. 192.0.2.0/24, 2001:db8::/32)"));
        int bits = network.getAddress().length * 8;
        int prefix = bits;
        if (slash >= 0) {
            try {
                prefix = Integer.parseInt(value.substring(slash + 1));
            } catch (NumberFormatException e) {
                prefix = -1;
            }
            if (prefix < 0 || prefix > bits) {
                throw new IllegalArgumentException("has \"" + value + "\", whose prefix length is not 0 to " + bits);
            }
        }
        return new ClientRange(network, prefix, value, origin);
    }

    @Override
    public String toString() {
        return written;
    }
}
