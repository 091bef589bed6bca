package org.vspam.agent.milter;

import java.io.IOException;
import java.net.IDN;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import java.util.zip.ZipFile;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The top-level domains of the Public Suffix List, as the Java runtime ships it for its cookie and TLS
 * code ({@code lib/security/public_suffix_list.dat}, a zip with one entry per top-level domain; the
 * agent's own jlinked runtime has it too). It tells a bare host in text ({@code paypal-login.com}) from
 * a file name ({@code invoice.pdf}) without a copy of the list of our own to keep up to date.
 */
final class PublicSuffixes {
    private static final Logger LOG = LoggerFactory.getLogger(PublicSuffixes.class);
    private static final Set<String> TOP_LEVEL = load(Path.of(System.getProperty("java.home"), "lib", "security", "public_suffix_list.dat"));

    private PublicSuffixes() {
    }

    /** True when the name's last label is a top-level domain the list knows ({@code com}, {@code de}, {@code xn--p1ai}). */
    static boolean knownTopLevel(String host) {
        String last = host.substring(host.lastIndexOf('.') + 1).toLowerCase(Locale.ROOT);
        if (TOP_LEVEL.contains(last)) {
            return true;
        }
        try {
            return TOP_LEVEL.contains(IDN.toASCII(last, IDN.ALLOW_UNASSIGNED));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    static Set<String> load(Path list) {
        if (!Files.isReadable(list)) {
            LOG.warn("the Java runtime has no public suffix list at {}; bare host names in plain text are not checked, "
                    + "links with http://, https:// or www. still are", list);
            return Set.of();
        }
        Set<String> names = new HashSet<>(2048);
        try (ZipFile zip = new ZipFile(list.toFile())) {
            Collections.list(zip.entries()).forEach(entry -> names.add(entry.getName().toLowerCase(Locale.ROOT)));
        } catch (IOException e) {
            LOG.warn("cannot read the Java runtime's public suffix list {} ({}); bare host names in plain text are not checked", list, e.getMessage());
        }
        return Set.copyOf(names);
    }
}
