package org.vspam.agent.indicator;

import com.ibm.icu.text.IDNA;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/**
 * Host names mapped as browsers map them: UTS #46 non-transitional processing (ICU), the mapping the
 * URL Standard's "domain to ASCII" applies. Full-width letters and digits, the ideographic and
 * full-width full stops, upper case and the characters the mapping ignores (soft hyphen, zero-width
 * joiners) all come out as the name a browser would ask DNS for; {@code ß} stays {@code ß}, as it does
 * in browsers (the JDK's {@code java.net.IDN}, IDNA 2003, would make it {@code ss}, another host).
 */
final class HostNames {
    /**
     * ICU, loaded on the first name that needs it: an agent whose mail carries only ASCII names (a policy
     * sidecar, nearly always) never loads it.
     */
    private static final class Uts46 {
        static final IDNA BROWSERS = IDNA.getUTS46Instance(
                IDNA.NONTRANSITIONAL_TO_ASCII | IDNA.NONTRANSITIONAL_TO_UNICODE | IDNA.CHECK_BIDI | IDNA.CHECK_CONTEXTJ);
        /**
         * The mapping of IDNA 2003 readers (older mail clients): zero-width joiners and non-joiners dropped.
         * Asked only when a joiner makes the name one that browsers refuse, so that such a name is still the
         * host those readers open rather than no host at all.
         */
        static final IDNA TRANSITIONAL = IDNA.getUTS46Instance(IDNA.CHECK_BIDI);
        /** What the URL Standard lets through (CheckHyphens and VerifyDnsLength false); the agent checks lengths itself. */
        static final Set<IDNA.Error> TOLERATED = EnumSet.of(IDNA.Error.LEADING_HYPHEN, IDNA.Error.TRAILING_HYPHEN,
                IDNA.Error.HYPHEN_3_4, IDNA.Error.EMPTY_LABEL, IDNA.Error.LABEL_TOO_LONG, IDNA.Error.DOMAIN_NAME_TOO_LONG);

        private Uts46() {
        }
    }

    private HostNames() {
    }

    /** True when the name needs the mapping: not ASCII, or an ASCII label in punycode ({@code xn--}). */
    static boolean needsMapping(String name) {
        for (int i = 0; i < name.length(); i++) {
            if (name.charAt(i) >= 0x80) {
                return true;
            }
        }
        return name.startsWith("xn--") || name.startsWith("XN--") || name.contains(".xn--") || name.contains(".XN--");
    }

    /** The name as DNS asks for it (punycode), or empty when no browser would open it. */
    static Optional<String> toAscii(String name) {
        IDNA.Info info = new IDNA.Info();
        String ascii = Uts46.BROWSERS.nameToASCII(name, new StringBuilder(name.length() + 8), info).toString();
        if (info.getErrors().contains(IDNA.Error.CONTEXTJ)) {
            info = new IDNA.Info();
            ascii = Uts46.TRANSITIONAL.nameToASCII(name, new StringBuilder(name.length() + 8), info).toString();
        }
        return acceptable(info) && !ascii.isEmpty() ? Optional.of(ascii) : Optional.empty();
    }

    /**
     * The lower-case Unicode form of a name {@link #toAscii} gave, {@code xn--} labels decoded: the form
     * that is hashed (SPEC §4). A label that does not decode stays as it is.
     */
    static String toUnicode(String ascii) {
        IDNA.Info info = new IDNA.Info();
        String unicode = Uts46.BROWSERS.nameToUnicode(ascii, new StringBuilder(ascii.length()), info).toString();
        return acceptable(info) ? unicode : ascii;
    }

    private static boolean acceptable(IDNA.Info info) {
        return !info.hasErrors() || Uts46.TOLERATED.containsAll(info.getErrors());
    }
}
