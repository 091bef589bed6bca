package org.vspam.config;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A size as people write it: {@code 1048576}, {@code 512KiB}, {@code 1MiB}, {@code 2MB} (SI units are powers of ten). */
public final class ByteSize {
    private static final Pattern SIZE = Pattern.compile(Rules.SIZE);

    private ByteSize() {
    }

    /** The size in bytes, at most {@code largest}. */
    public static long parse(String text, long largest) {
        Matcher size = SIZE.matcher(text);
        if (!size.matches()) {
            throw new IllegalArgumentException("is not a size (expected e.g. 1MiB, 512KiB or a number of bytes)");
        }
        String unit = size.group(2) == null ? "b" : size.group(2).toLowerCase(Locale.ROOT);
        boolean binary = unit.contains("i");
        long factor = switch (unit.charAt(0)) {
            case 'k' -> binary ? 1L << 10 : 1_000L;
            case 'm' -> binary ? 1L << 20 : 1_000_000L;
            case 'g' -> binary ? 1L << 30 : 1_000_000_000L;
            default -> 1L;
        };
        long bytes = Long.parseLong(size.group(1)) * factor;
        if (bytes > largest) {
            throw new IllegalArgumentException("must be at most " + format(largest));
        }
        return bytes;
    }

    /** {@code 1MiB}, {@code 64KiB}, or bytes: how the agent prints a size. */
    public static String format(long bytes) {
        if (bytes > 0 && bytes % (1L << 20) == 0) {
            return (bytes >> 20) + "MiB";
        }
        if (bytes > 0 && bytes % (1L << 10) == 0) {
            return (bytes >> 10) + "KiB";
        }
        return bytes + "B";
    }
}
