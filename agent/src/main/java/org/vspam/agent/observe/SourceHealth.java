package org.vspam.agent.observe;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vspam.agent.indicator.Indicator;
import org.vspam.agent.lookup.Lookup;
import org.vspam.agent.lookup.LookupChain;
import org.vspam.agent.lookup.LookupListener;
import org.vspam.agent.lookup.Source;
import org.vspam.config.AgentConfig;
import org.vspam.config.GoDuration;

/**
 * Whether each upstream source (the vspam.org API, the DNSBL) answers, learned from the lookups
 * themselves: one warning when a source starts failing, with the reason an operator can act on, and
 * one line when it answers again, never one per request. The state is in {@code /health} and in the
 * gauge {@code vspam_source_up}; readiness does not depend on it, since the agent fails open.
 *
 * <p>A source is failing after {@value #FAILURES_IN_A_ROW} failed lookups in a row, at once, and
 * answers again with its first answer once it has been failing for at least {@link #DWELL}: a
 * source that fails every other lookup costs at most two lines per {@code DWELL}, not one per request,
 * and one that fails again within a minute of its recovery is told as flapping, once a minute
 * ({@link FlapWatch}). While it is failing, {@link SourceProbes} asks it in the background, so that a source nothing asks
 * any more (the API answers everything) is not left failing.
 */
@Singleton
public final class SourceHealth implements LookupListener {
    private static final Logger LOG = LoggerFactory.getLogger(SourceHealth.class);
    static final int FAILURES_IN_A_ROW = 3;
    static final Duration DWELL = Duration.ofSeconds(10);

    /** A source's state as {@code /health} shows it. */
    public enum State {
        UNKNOWN, UP, FAILING;

        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** A state and, while failing, why. */
    public record Status(State state, String problem) {
    }

    private final Map<Source, Tracker> trackers = new EnumMap<>(Source.class);
    private final LongSupplier nanoClock;
    private final long dwellNanos;

    @Inject
    public SourceHealth(AgentConfig config, MeterRegistry registry) {
        this(config, registry, System::nanoTime, DWELL);
    }

    SourceHealth(AgentConfig config, MeterRegistry registry, LongSupplier nanoClock, Duration dwell) {
        this.nanoClock = nanoClock;
        this.dwellNanos = dwell.toNanos();
        config.apiUrl().ifPresent(url -> trackers.put(Source.API, new Tracker("vspam.org API " + url)));
        if (config.dnsblEnabled()) {
            trackers.put(Source.DNSBL, new Tracker("DNSBL " + config.dnsblZone()));
        }
        trackers.forEach((source, tracker) -> registerUpGauge(registry, source, tracker, t -> t.state != State.FAILING));
    }

    /** {@code vspam_source_up{source}}: also for the shared cache, which keeps its own state. */
    public static <T> void registerUpGauge(MeterRegistry registry, Source source, T state, Predicate<T> up) {
        Gauge.builder("vspam.source.up", state, s -> up.test(s) ? 1 : 0)
                .description("0 while a source is failing, else 1")
                .tag("source", source.label())
                .register(registry);
    }

    @Override
    public void looked(Indicator indicator, LookupChain.Step step) {
        record(step.lookup());
    }

    /** What a source said, from a lookup or a probe ({@link SourceProbes}). */
    public void record(Lookup lookup) {
        Tracker tracker = trackers.get(lookup.source());
        if (tracker != null) {
            tracker.record(lookup);
        }
    }

    /** What is due about a flapping source (called every second, with the probes). */
    void tick() {
        long now = nanoClock.getAsLong();
        trackers.values().forEach(tracker -> tracker.tick(now));
    }

    /** Every upstream source the agent asks, in chain order, with its state. */
    public Map<Source, Status> statuses() {
        Map<Source, Status> statuses = new EnumMap<>(Source.class);
        trackers.forEach((source, tracker) -> statuses.put(source, tracker.status()));
        return Collections.unmodifiableMap(statuses);
    }

    /** One source's record. The common case, an answer from a source that is up, takes no lock. */
    private final class Tracker {
        private final String name;
        private final FlapWatch flaps = new FlapWatch();
        private volatile State state = State.UNKNOWN;
        private volatile int failuresInARow;
        private long changedAtNanos;
        private String problem = "";

        Tracker(String name) {
            this.name = name;
        }

        void record(Lookup lookup) {
            switch (lookup) {
                case Lookup.Answered answered -> {
                    if (state != State.UP || failuresInARow != 0) {
                        answered();
                    }
                }
                case Lookup.Skipped skipped when skipped.reason() == Lookup.Reason.ERROR || skipped.reason() == Lookup.Reason.TIMEOUT ->
                        failed(skipped.detail());
                case Lookup.Skipped skipped -> { } // a miss or a disabled source says nothing about its health
            }
        }

        private synchronized void answered() {
            failuresInARow = 0;
            long now = nanoClock.getAsLong();
            if (state == State.UP || state == State.FAILING && now - changedAtNanos < dwellNanos) {
                return;
            }
            if (state == State.FAILING && flaps.up(now)) {
                LOG.info("{} answers again (after {} failing)", name, GoDuration.format(Duration.ofNanos(now - changedAtNanos).withNanos(0)));
            }
            change(State.UP, "", now);
        }

        private synchronized void failed(String why) {
            int failures = ++failuresInARow;
            long now = nanoClock.getAsLong();
            if (state == State.FAILING || failures < FAILURES_IN_A_ROW) {
                return;
            }
            if (flaps.down(now)) {
                LOG.warn("{} unavailable: {} ({} lookups in a row failed); lookups go on to the next source, and mail that nothing "
                        + "could check is allowed", name, why, failures);
            }
            change(State.FAILING, why, now);
        }

        private void change(State next, String why, long now) {
            state = next;
            problem = why;
            changedAtNanos = now;
        }

        void tick(long now) {
            flaps.due(now).ifPresent(line -> line.tell(LOG, name));
        }

        synchronized Status status() {
            return new Status(state, problem);
        }
    }
}
