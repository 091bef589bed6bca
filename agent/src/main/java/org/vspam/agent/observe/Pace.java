package org.vspam.agent.observe;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/** At most one of something per period, from any number of threads: a log line that must not repeat per request. */
public final class Pace {
    private static final long NEVER = Long.MIN_VALUE;
    private final long periodNanos;
    private final LongSupplier nanoClock;
    private final AtomicLong last = new AtomicLong(NEVER);

    public Pace(Duration period) {
        this(period, System::nanoTime);
    }

    Pace(Duration period, LongSupplier nanoClock) {
        this.periodNanos = period.toNanos();
        this.nanoClock = nanoClock;
    }

    /** True for the first call, then for the first one a whole period after the last that was true. */
    public boolean due() {
        long now = nanoClock.getAsLong();
        long before = last.get();
        return (before == NEVER || now - before >= periodNanos) && last.compareAndSet(before, now);
    }
}
