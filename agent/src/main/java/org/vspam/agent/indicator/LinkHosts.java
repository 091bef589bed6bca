package org.vspam.agent.indicator;

import io.netty.util.NetUtil;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The hosts a link leads to, found as a browser finds them: the host parser of the WHATWG URL Standard
 * for {@code http} and {@code https} (what every browser follows), then SPEC §4's normal form. One
 * parser for the milter, {@code /check}'s {@code urls} and {@code check --message}, so that the three
 * never disagree. What it takes care of is what phishing kits use to hide a host from a scanner that
 * reads URLs by hand:
 * <ul>
 * <li>tabs and newlines inside the link, {@code \} for {@code /}, any number of slashes after
 * {@code https:}, user information before {@code @};
 * <li>percent-encoded host characters, and UTS #46 mapping (full-width letters, ideographic full stops,
 * ignored characters), see {@link HostNames};
 * <li>IPv4 addresses written as one number, in hexadecimal or octal, or with fewer than four parts;
 * <li>links inside a link's path, query or fragment (a redirector's {@code ?u=https%3A%2F%2F...}),
 * whose hosts are hosts of the link too.
 * </ul>
 * A link without a scheme ({@code www.example.com/x}, or a bare host found in text) is read as if it
 * began with {@code http://}; a scheme-relative {@code //host/path} takes {@code https}. Other schemes
 * ({@code mailto:}, {@code tel:}, {@code cid:}, {@code data:}) lead to no host.
 */
public final class LinkHosts {
    /** Links inside links followed at most this deep: a redirector's redirector is the deepest seen in kits. */
    static final int MAX_DEPTH = 3;
    private static final Pattern SCHEME = Pattern.compile("^([A-Za-z][A-Za-z0-9+.-]*):");
    /** A link inside another's path, query or fragment, once percent-decoded: up to what ends a query value. */
    private static final Pattern INNER = Pattern.compile("(?i)https?:[/\\\\]{2}[^\\s&\"'<>]+");
    /** The code points no host may hold (the URL Standard's forbidden domain code points, less those UTS #46 maps away). */
    private static final String FORBIDDEN = "\u0000\t\n\r #%/:<>?@[\\]^|\u007f";

    private LinkHosts() {
    }

    /** The link's own host, if a browser would connect to one. */
    public static Optional<Indicator> host(String link) {
        return parse(link).map(Parsed::host);
    }

    /** The link's host, then those of the links inside it, each once, in the order met. */
    public static List<Indicator> hosts(String link) {
        Set<Indicator> hosts = new LinkedHashSet<>();
        collect(link, 0, hosts);
        return List.copyOf(hosts);
    }

    private static void collect(String link, int depth, Set<Indicator> hosts) {
        Optional<Parsed> parsed = parse(link);
        if (parsed.isEmpty()) {
            return;
        }
        hosts.add(parsed.get().host());
        if (depth < MAX_DEPTH && !parsed.get().rest().isEmpty()) {
            Matcher inner = INNER.matcher(decodeRepeatedly(parsed.get().rest()));
            while (inner.find()) {
                collect(inner.group(), depth + 1, hosts);
            }
        }
    }

    /** A parsed link: its host, and what follows the host (path, query, fragment), still encoded. */
    private record Parsed(Indicator host, String rest) {
    }

    private static Optional<Parsed> parse(String link) {
        if (link == null || link.length() > Indicator.MAX_URL_LENGTH) {
            return Optional.empty();
        }
        String input = withoutTabsAndNewlines(stripControlsAndSpaces(link));
        if (NetUtil.isValidIpV6Address(input)) {
            return Optional.of(new Parsed(Indicator.ip(input), "")); // a bare IPv6 address, as rspamd's module sends hosts
        }
        int start = 0;
        Matcher scheme = SCHEME.matcher(input);
        if (scheme.find() && !isHostAndPort(input, scheme.end())) {
            String name = scheme.group(1).toLowerCase(Locale.ROOT);
            if (!name.equals("http") && !name.equals("https")) {
                return Optional.empty();
            }
            start = scheme.end();
            while (start < input.length() && isSlash(input.charAt(start))) {
                start++; // the URL Standard's "special authority ignore slashes" state
            }
        } else if (input.length() > 1 && isSlash(input.charAt(0)) && isSlash(input.charAt(1))) {
            start = 2; // scheme-relative: the scheme of a document in mail is https's
        }
        int end = start;
        while (end < input.length() && "/\\?#".indexOf(input.charAt(end)) < 0) {
            end++;
        }
        String authority = input.substring(start, end);
        String rest = input.substring(end);
        return hostOf(authority.substring(authority.lastIndexOf('@') + 1)).map(host -> new Parsed(host, rest));
    }

    /** {@code phish.example:8080/x} written without a scheme: what precedes the colon is a host, not a scheme. */
    private static boolean isHostAndPort(String input, int afterColon) {
        int digits = afterColon;
        while (digits < input.length() && Character.isDigit(input.charAt(digits)) && input.charAt(digits) < 0x80) {
            digits++;
        }
        return digits > afterColon && (digits == input.length() || "/\\?#".indexOf(input.charAt(digits)) >= 0);
    }

    private static Optional<Indicator> hostOf(String hostAndPort) {
        String host;
        if (hostAndPort.startsWith("[")) {
            int close = hostAndPort.indexOf(']');
            if (close < 0 || !validPort(hostAndPort.substring(close + 1))) {
                return Optional.empty();
            }
            host = hostAndPort.substring(1, close);
            return NetUtil.isValidIpV6Address(host) ? Optional.of(Indicator.ip(host)) : Optional.empty();
        }
        int colon = hostAndPort.indexOf(':');
        if (colon >= 0 && !validPort(hostAndPort.substring(colon))) {
            return Optional.empty();
        }
        host = colon < 0 ? hostAndPort : hostAndPort.substring(0, colon);
        Optional<String> decoded = percentDecoded(host);
        if (decoded.isEmpty() || decoded.get().isEmpty()) {
            return Optional.empty();
        }
        Optional<String> ascii = HostNames.needsMapping(decoded.get())
                ? HostNames.toAscii(decoded.get()) : Optional.of(decoded.get().toLowerCase(Locale.ROOT));
        if (ascii.isEmpty() || ascii.get().chars().anyMatch(c -> FORBIDDEN.indexOf(c) >= 0 || c < 0x20)) {
            return Optional.empty();
        }
        try {
            if (endsInANumber(ascii.get())) {
                return Ipv4.parse(ascii.get()).map(Indicator::ip);
            }
            return Optional.of(Indicator.urlHost(ascii.get()));
        } catch (InvalidIndicatorException e) {
            return Optional.empty();
        }
    }

    /** {@code :} and digits, or nothing; the port itself does not matter. */
    private static boolean validPort(String colonAndPort) {
        return colonAndPort.isEmpty() || colonAndPort.charAt(0) == ':' && colonAndPort.chars().skip(1).allMatch(c -> c >= '0' && c <= '9');
    }

    /** The URL Standard's "ends in a number": such a host is an IPv4 address, or no host at all. */
    private static boolean endsInANumber(String host) {
        String name = host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
        String last = name.substring(name.lastIndexOf('.') + 1);
        if (!last.isEmpty() && last.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return true;
        }
        return Ipv4.number(last) >= 0;
    }

    /** The URL Standard's IPv4 parser: one to four parts, each decimal, {@code 0x} hexadecimal or {@code 0} octal. */
    static final class Ipv4 {
        private Ipv4() {
        }

        static Optional<String> parse(String host) {
            List<String> parts = new ArrayList<>(List.of(host.split("\\.", -1)));
            if (parts.size() > 1 && parts.getLast().isEmpty()) {
                parts.removeLast();
            }
            if (parts.size() > 4) {
                return Optional.empty();
            }
            long address = 0;
            for (int i = 0; i < parts.size(); i++) {
                long number = number(parts.get(i));
                boolean last = i == parts.size() - 1;
                if (number < 0 || !last && number > 255 || last && number >= 1L << (8 * (5 - parts.size()))) {
                    return Optional.empty();
                }
                address = last ? address << (8 * (5 - parts.size())) | number : address << 8 | number;
            }
            return Optional.of((address >>> 24 & 0xff) + "." + (address >>> 16 & 0xff) + "." + (address >>> 8 & 0xff) + "." + (address & 0xff));
        }

        /** One part's value, or -1 when it is not a number; anything above 2^32 is 2^32, too large in any part. */
        static long number(String part) {
            if (part.isEmpty()) {
                return -1;
            }
            int radix = 10;
            String digits = part;
            if (part.length() >= 2 && part.charAt(0) == '0' && (part.charAt(1) == 'x' || part.charAt(1) == 'X')) {
                radix = 16;
                digits = part.substring(2);
            } else if (part.length() >= 2 && part.charAt(0) == '0') {
                radix = 8;
                digits = part.substring(1);
            }
            long value = 0;
            for (int i = 0; i < digits.length(); i++) {
                int digit = Character.digit(digits.charAt(i), radix);
                if (digit < 0 || digits.charAt(i) >= 0x80) {
                    return -1;
                }
                value = Math.min(value * radix + digit, 1L << 32);
            }
            return value;
        }
    }

    /** The host's percent-encoded bytes decoded as UTF-8; empty when they are not UTF-8 (the URL Standard fails too). */
    private static Optional<String> percentDecoded(String host) {
        if (host.indexOf('%') < 0) {
            return Optional.of(host);
        }
        try {
            return Optional.of(StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(percentDecodedBytes(host))).toString());
        } catch (CharacterCodingException e) {
            return Optional.empty();
        }
    }

    /** Percent-decoded until nothing changes (at most three rounds: a redirector's target may be encoded twice). */
    private static String decodeRepeatedly(String text) {
        String decoded = text;
        for (int round = 0; round < 3 && decoded.indexOf('%') >= 0; round++) {
            String next = new String(percentDecodedBytes(decoded), StandardCharsets.UTF_8);
            if (next.equals(decoded)) {
                break;
            }
            decoded = next;
        }
        return decoded;
    }

    /** {@code %XX} as the byte it stands for; a {@code %} not followed by two hex digits stays as it is. */
    private static byte[] percentDecodedBytes(String text) {
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream(utf8.length);
        for (int i = 0; i < utf8.length; i++) {
            int high = i + 2 < utf8.length ? Character.digit(utf8[i + 1], 16) : -1;
            int low = i + 2 < utf8.length ? Character.digit(utf8[i + 2], 16) : -1;
            if (utf8[i] == '%' && high >= 0 && low >= 0) {
                out.write(high << 4 | low);
                i += 2;
            } else {
                out.write(utf8[i]);
            }
        }
        return out.toByteArray();
    }

    private static boolean isSlash(char c) {
        return c == '/' || c == '\\';
    }

    private static String stripControlsAndSpaces(String text) {
        int begin = 0;
        int end = text.length();
        while (begin < end && text.charAt(begin) <= ' ') {
            begin++;
        }
        while (end > begin && text.charAt(end - 1) <= ' ') {
            end--;
        }
        return text.substring(begin, end);
    }

    private static String withoutTabsAndNewlines(String text) {
        if (text.indexOf('\t') < 0 && text.indexOf('\n') < 0 && text.indexOf('\r') < 0) {
            return text;
        }
        StringBuilder kept = new StringBuilder(text.length());
        text.chars().filter(c -> c != '\t' && c != '\n' && c != '\r').forEach(c -> kept.append((char) c));
        return kept.toString();
    }
}
