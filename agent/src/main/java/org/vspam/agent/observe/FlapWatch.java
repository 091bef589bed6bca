package org.vspam.agent.observe;

import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.vspam.config.GoDuration;

/**
 * Which of a source's outages and recoveries are told. Each is one line, unless the source goes down again
 * within {@link #STABLE} of recovering: then it is flapping, and instead of a line per flap (a link going
 * down and up every few seconds wrote eight lines in sixteen seconds) it gets one line a minute with the
 * count, until it has answered for a whole {@code STABLE}, which is its last line. The state a source shows
 * ({@code /health}, {@code vspam_source_up}) stays exact throughout; only the log is spared.
 *
 * <p>The owner calls {@link #down} and {@link #up} at each change of state, and {@link #due} every second or
 * so, which is what notices that a flapping source settled, or that it is still flapping a minute later.
 */
public final class FlapWatch {
    public static final Duration STABLE = Duration.ofMinutes(1);
    private static final long NEVER = Long.MIN_VALUE;

    private final long stableNanos;
    private long recoveredAt = NEVER;
    private long toldAt = NEVER;
    private long flappingSince;
    private boolean flapping;
    private boolean down;
    /** Outages since the last line about them, and since the flapping began. */
    private int untold;
    private int outages;

    public FlapWatch() {
        this(STABLE);
    }

    FlapWatch(Duration stable) {
        this.stableNanos = stable.toNanos();
    }

    /** The source went down at {@code now} (a {@link System#nanoTime()}); true when that deserves its line. */
    public synchronized boolean down(long now) {
        down = true;
        if (recoveredAt != NEVER && now - recoveredAt < stableNanos) {
            if (!flapping) {
                flapping = true;
                flappingSince = recoveredAt;
                outages = 1; // the outage before the recovery that did not last
            }
            untold++;
            outages++;
            return false;
        }
        toldAt = now;
        return true;
    }

    /** The source answers again at {@code now}; true when that deserves its line (not while it flaps). */
    public synchronized boolean up(long now) {
        down = false;
        recoveredAt = now;
        return !flapping;
    }

    /**
     * A line about a flapping source, when one is due: a minute after the last line, how often it went down
     * meanwhile and how it is now; or, once it has answered for a minute, that it is stable again.
     */
    public synchronized Optional<Line> due(long now) {
        if (!flapping) {
            return Optional.empty();
        }
        if (!down && now - recoveredAt >= stableNanos) {
            flapping = false;
            untold = 0;
            return Optional.of(new Line(false, "stable again: answering for " + GoDuration.format(Duration.ofNanos(stableNanos))
                    + " after flapping for " + minutes(recoveredAt - flappingSince) + " (" + outages + " outages)"));
        }
        if (untold > 0 && now - toldAt >= stableNanos) {
            String line = "flapping: down " + untold + (untold == 1 ? " time" : " times") + " in the last " + minutes(now - toldAt)
                    + ", " + (down ? "unavailable now" : "answering now") + "; told once a minute until it has answered for "
                    + GoDuration.format(Duration.ofNanos(stableNanos));
            toldAt = now;
            untold = 0;
            return Optional.of(new Line(true, line));
        }
        return Optional.empty();
    }

    /** What to log about a flapping source: a warning while it flaps, information once it is stable. */
    public record Line(boolean warning, String text) {
        /** Logs this line about {@code source} (its name as the owner's other lines give it). */
        public void tell(Logger log, String source) {
            if (warning) {
                log.warn("{} {}", source, text);
            } else {
                log.info("{} {}", source, text);
            }
        }
    }

    private static String minutes(long nanos) {
        return GoDuration.format(Duration.ofNanos(nanos).withNanos(0));
    }
}
