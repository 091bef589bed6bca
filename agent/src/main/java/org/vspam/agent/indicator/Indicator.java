package org.vspam.agent.indicator;

import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;

/**
 * A normalized indicator of compromise. Two spellings of the same thing ({@code Phish.Example.NET.}
 * and {@code phish.example.net}, {@code 2001:0DB8::0001} and {@code 2001:db8::1}) are one indicator.
 */
public record Indicator(Kind kind, String value) {

    /** The longest DNS name; nothing longer can be a domain or be looked up in the DNSBL. */
    public static final int MAX_NAME_LENGTH = 253;

    /** The longest URL whose host is taken; a longer one is not a link a mail reader would follow. */
    public static final int MAX_URL_LENGTH = 4096;

    /** The kind, named as the vspam.org API names it ({@code ioc_type}). */
    public enum Kind {
        DOMAIN("domain"), IP("ip"), URL("url");

        private final String iocType;

        Kind(String iocType) {
            this.iocType = iocType;
        }

        public String iocType() {
            return iocType;
        }
    }

    /** A sender's domain, or an address literal such as {@code [192.0.2.1]}, which is an IP. */
    /**
     * The domain of an envelope address: what follows its last {@code @}; empty for a bounce
     * ({@code <>}) or a bare local name. The one place this rule is written.
     */
    public static String domainOf(String address) {
        int at = address.lastIndexOf('@');
        return at < 0 ? "" : address.substring(at + 1);
    }

    /** What a user typed where a domain is expected: an address counts for its {@link #domainOf domain}. */
    public static String domainOrAddress(String value) {
        return value.indexOf('@') < 0 ? value : domainOf(value);
    }

    public static Indicator domain(String raw) {
        String value = trim(raw);
        if (value.startsWith("[") && value.endsWith("]")) {
            return ip(value);
        }
        return new Indicator(Kind.DOMAIN, hostName(value));
    }

    /** A client address; IPv6 in RFC 5952 form, an IPv4-mapped IPv6 address as its IPv4. */
    public static Indicator ip(String raw) {
        String value = trim(raw);
        if (isDottedQuad(value)) {
            return new Indicator(Kind.IP, value); // already the normal form: Postfix's client_address, nearly always
        }
        if (value.startsWith("[") && value.endsWith("]")) {
            value = value.substring(1, value.length() - 1);
        }
        if (value.regionMatches(true, 0, "ipv6:", 0, 5)) {
            value = value.substring(5); // SMTP address literal form [IPv6:2001:db8::1]
        }
        byte[] bytes = NetUtil.createByteArrayFromIpAddressString(value);
        if (bytes == null) {
            throw new InvalidIndicatorException("\"" + abbreviate(value) + "\" is not an IP address");
        }
        try {
            // getByAddress turns an IPv4-mapped IPv6 address into its IPv4 address; no DNS is involved.
            return new Indicator(Kind.IP, NetUtil.toAddressString(InetAddress.getByAddress(bytes)));
        } catch (UnknownHostException e) {
            throw new InvalidIndicatorException("\"" + abbreviate(value) + "\" is not an IP address");
        }
    }

    /** Four decimal numbers of 0–255 without leading zeros, dot-separated: an IPv4 address written as it is normalized. */
    private static boolean isDottedQuad(String value) {
        int parts = 0;
        int i = 0;
        int length = value.length();
        while (i < length && parts < 4) {
            int start = i;
            int number = 0;
            while (i < length && i - start < 3 && value.charAt(i) >= '0' && value.charAt(i) <= '9') {
                number = number * 10 + value.charAt(i) - '0';
                i++;
            }
            int digits = i - start;
            if (digits == 0 || number > 255 || (digits > 1 && value.charAt(start) == '0')) {
                return false;
            }
            parts++;
            if (i < length && parts < 4) {
                if (value.charAt(i) != '.') {
                    return false;
                }
                i++;
            }
        }
        return parts == 4 && i == length;
    }

    /** A URL's host: checked like a domain (or an IP), reported as a URL's host. */
    public static Indicator urlHost(String host) {
        Indicator parsed = domain(host);
        return parsed.kind == Kind.IP ? parsed : new Indicator(Kind.URL, parsed.value);
    }

    /** The lookup hash: lower-case hex SHA-256 of the normalized value's UTF-8 bytes. */
    public String sha256() {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(digest.digest(value.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    /** The name in DNS form (IDN in punycode) for domains and URL hosts. */
    public String asciiName() {
        return kind == Kind.IP || isAscii(value) ? value : HostNames.toAscii(value).orElse(value);
    }

    private static boolean isAscii(String value) {
        for (int i = 0; i < value.length(); i++) {
            if (value.charAt(i) >= 0x80) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return value;
    }

    private static String trim(String raw) {
        if (raw == null) {
            throw new InvalidIndicatorException("no value");
        }
        String value = raw.strip().toLowerCase(Locale.ROOT);
        while (value.endsWith(".")) {
            value = value.substring(0, value.length() - 1);
        }
        if (value.isEmpty()) {
            throw new InvalidIndicatorException("empty value");
        }
        return value;
    }

    /**
     * A name in its normal form: ASCII as written (lower case), else mapped by UTS #46 to lower-case
     * Unicode with {@code xn--} labels decoded, so that every spelling of one name is one indicator.
     */
    private static String hostName(String written) {
        String value = written;
        String ascii = written;
        if (HostNames.needsMapping(value)) {
            ascii = HostNames.toAscii(value).orElseThrow(() -> notADomain(written));
            value = HostNames.toUnicode(ascii);
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c <= ' ' || c == '@' || c == '/' || c == '\\' || c == '[' || c == ']' || c == 0x7f) {
                throw notADomain(written);
            }
        }
        if (value.startsWith(".") || value.contains("..")) {
            throw notADomain(written);
        }
        if (ascii.length() > MAX_NAME_LENGTH) {
            throw new InvalidIndicatorException("\"" + abbreviate(written) + "\" is longer than a DNS name can be");
        }
        return value;
    }

    private static InvalidIndicatorException notADomain(String written) {
        return new InvalidIndicatorException("\"" + abbreviate(written) + "\" is not a domain name");
    }

    private static String abbreviate(String value) {
        return value.length() <= 64 ? value : value.substring(0, 61) + "...";
    }
}
