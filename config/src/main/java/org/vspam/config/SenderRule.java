package org.vspam.config;

import java.net.IDN;
import java.util.Locale;
import java.util.Optional;

/**
 * A sender the operator trusts: a domain, which covers its subdomains ({@code example.org} allows
 * {@code mx.example.org}), or one full address ({@code postmaster@example.org}). Compared without
 * regard to case, internationalised names in their ASCII form.
 *
 * @param domain    the domain, lower case, in ASCII (punycode)
 * @param localPart empty for a domain rule; else the address's local part, lower case
 * @param written   as the operator wrote it, for messages
 * @param origin    where it was written ({@code allow_senders}, or a line of {@code allow_file})
 */
public record SenderRule(String domain, Optional<String> localPart, String written, String origin) {
    /** What a sender entry looks like, for schemas (the CRD): an optional {@code local@}, then labels separated by dots. */
    public static final String PATTERN = "^([^@ ]+@)?[^@ .]+([.][^@ .]+)*[.]?$";

    /** {@code sender} is the envelope sender ({@code local@domain}); {@code senderDomain} its domain. */
    public boolean matches(String sender, String senderDomain) {
        String domain = Optional.ofNullable(ascii(senderDomain)).orElse("");
        if (localPart.isPresent()) {
            int at = sender.lastIndexOf('@');
            return at > 0 && domain.equals(this.domain) && sender.substring(0, at).toLowerCase(Locale.ROOT).equals(localPart.get());
        }
        return domain.equals(this.domain) || domain.endsWith("." + this.domain);
    }

    static SenderRule parse(String text, String origin) {
        String value = text.strip();
        int at = value.lastIndexOf('@');
        String local = at < 0 ? null : value.substring(0, at);
        String domain = ascii(at < 0 ? value : value.substring(at + 1));
        if (domain == null || local != null && (local.isEmpty() || local.chars().anyMatch(c -> c <= ' ' || c == 0x7f))) {
            throw new IllegalArgumentException("has \"" + value + "\", which is not a domain or an address (e.g. example.org, postmaster@example.org)");
        }
        return new SenderRule(domain, Optional.ofNullable(local).map(l -> l.toLowerCase(Locale.ROOT)), value, origin);
    }

    /** The ASCII, lower-case form of a domain, or null when it is not one. */
    static String ascii(String domain) {
        String value = domain.strip();
        while (value.endsWith(".")) {
            value = value.substring(0, value.length() - 1);
        }
        try {
            value = IDN.toASCII(value, IDN.ALLOW_UNASSIGNED).toLowerCase(Locale.ROOT);
        } catch (IllegalArgumentException e) {
            return null;
        }
        return value.matches("[a-z0-9_]([a-z0-9_-]{0,62})(\\.[a-z0-9_]([a-z0-9_-]{0,62}))*") && value.length() <= 253 ? value : null;
    }

    @Override
    public String toString() {
        return written;
    }
}
