package org.vspam.config;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations written the way Go writes them ({@code 500ms}, {@code 30s}, {@code 10m}, {@code 1h30m}),
 * because that is what existing agent.yml files contain.
 */
public final class GoDuration {
    private static final Pattern PART = Pattern.compile("(\\d+(?:\\.\\d+)?|\\.\\d+)(ns|us|µs|ms|s|m|h)");

    private GoDuration() {
    }

    public static Duration parse(String text) {
        String value = text.strip();
        if (value.equals("0")) {
            return Duration.ZERO;
        }
        Matcher matcher = PART.matcher(value);
        BigDecimal nanos = BigDecimal.ZERO;
        int position = 0;
        while (position < value.length()) {
            if (!matcher.find(position) || matcher.start() != position) {
                throw new IllegalArgumentException("is not a duration (expected e.g. 500ms, 30s, 10m, 1h30m)");
            }
            nanos = nanos.add(new BigDecimal(matcher.group(1)).multiply(BigDecimal.valueOf(unitNanos(matcher.group(2)))));
            position = matcher.end();
        }
        if (position == 0) {
            throw new IllegalArgumentException("is not a duration (expected e.g. 500ms, 30s, 10m, 1h30m)");
        }
        return Duration.ofNanos(nanos.longValue());
    }

    /** Writes a duration back in the same style, e.g. {@code 1h30m} or {@code 250ms}. */
    public static String format(Duration duration) {
        if (duration.isZero()) {
            return "0s";
        }
        long millis = duration.toMillis();
        if (millis % 1000 != 0) {
            return millis + "ms";
        }
        long seconds = duration.toSeconds();
        StringBuilder text = new StringBuilder();
        if (seconds >= 3600) {
            text.append(seconds / 3600).append('h');
        }
        if (seconds % 3600 >= 60) {
            text.append(seconds % 3600 / 60).append('m');
        }
        if (seconds % 60 != 0) {
            text.append(seconds % 60).append('s');
        }
        return text.toString();
    }

    private static long unitNanos(String unit) {
        return switch (unit) {
            case "ns" -> 1L;
            case "us", "µs" -> 1_000L;
            case "ms" -> 1_000_000L;
            case "s" -> 1_000_000_000L;
            case "m" -> 60_000_000_000L;
            case "h" -> 3_600_000_000_000L;
            default -> throw new IllegalStateException(unit);
        };
    }
}
