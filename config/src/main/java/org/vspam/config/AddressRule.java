package org.vspam.config;

import java.net.IDN;
import java.util.Locale;
import java.util.Optional;

/**
 * A sender or recipient the operator names in an allow-list: a domain, which covers its subdomains
 * ({@code example.org} covers {@code mx.example.org}), one full address ({@code postmaster@example.org}),
 * or, for a recipient, a local part at any domain ({@code abuse@}, RFC 2142's role addresses; not for a
 * sender, whom anyone can name so). Compared without regard to case, internationalised names in their
 * ASCII form.
 *
 * @param domain    the domain, lower case, in ASCII (punycode); empty for a local part at any domain
 * @param localPart empty for a domain rule; else the address's local part, lower case
 * @param written   as the operator wrote it, for messages
 * @param origin    where it was written ({@code allow_senders}, {@code allow_recipients}, or a line of {@code allow_file})
 */
public record AddressRule(String domain, Optional<String> localPart, String written, String origin) {
    /** What a sender entry looks like, for schemas (the CRD): an optional {@code local@}, then labels separated by dots. */
    public static final String PATTERN = "^([^@ ]+@)?[^@ .]+([.][^@ .]+)*[.]?$";
    /** What a recipient entry looks like: a sender's, or {@code local@} alone. */
    public static final String RECIPIENT_PATTERN = "^(([^@ ]+@)?[^@ .]+([.][^@ .]+)*[.]?|[^@ ]+@)$";

    /** {@code address} is an envelope address ({@code local@domain}); {@code addressDomain} its domain. */
    public boolean matches(String address, String addressDomain) {
        if (localPart.isPresent()) {
            // Asked of every policy request for the default recipients (abuse@, postmaster@): the local
            // part first, without allocating, and the domain's IDNA form only when the rule names one.
            int at = address.lastIndexOf('@');
            if (at != localPart.get().length() || !address.regionMatches(true, 0, localPart.get(), 0, at)) {
                return false;
            }
            if (domain.isEmpty()) {
                return true;
            }
        }
        String asked = Optional.ofNullable(ascii(addressDomain)).orElse("");
        return asked.equals(domain) || localPart.isEmpty() && asked.endsWith("." + domain);
    }

    static AddressRule sender(String text, String origin) {
        return parse(text, origin, false);
    }

    static AddressRule recipient(String text, String origin) {
        return parse(text, origin, true);
    }

    private static AddressRule parse(String text, String origin, boolean anyDomainAllowed) {
        String value = text.strip();
        int at = value.lastIndexOf('@');
        String local = at < 0 ? null : value.substring(0, at);
        boolean anyDomain = anyDomainAllowed && at >= 0 && at == value.length() - 1;
        String domain = anyDomain ? "" : ascii(at < 0 ? value : value.substring(at + 1));
        if (domain == null || local != null && (local.isEmpty() || local.chars().anyMatch(c -> c <= ' ' || c == 0x7f))) {
            throw new IllegalArgumentException("has \"" + value + "\", which is not a domain or an address (e.g. example.org, postmaster@example.org"
                    + (anyDomainAllowed ? ", or abuse@ at any domain)" : ")"));
        }
        return new AddressRule(domain, Optional.ofNullable(local).map(l -> l.toLowerCase(Locale.ROOT)), value, origin);
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
