package org.vspam.agent.observe;

import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.vspam.agent.indicator.Indicator;
import org.vspam.agent.lookup.LookupChain;
import org.vspam.agent.lookup.Source;

/**
 * Asks a failing source again in the background until it answers. A source's health is learned from
 * lookups; once the API answers again every lookup stops there and the DNSBL, asked by nothing, would
 * stay "failing" in {@code /health} and {@code vspam_source_up} (firing the alert for a server that is
 * fine). So each failing source is asked about a name that is listed nowhere, once a second (the API's
 * breaker paces its own probes the same way), until its one recovery line. The same tick tells what is
 * due about a flapping source.
 */
public final class SourceProbes implements AutoCloseable {
    /** A name under {@code .invalid} (RFC 2606): no list holds it, and the API and the DNSBL answer it cheaply (clean, NXDOMAIN). */
    static final Indicator PROBE = Indicator.domain("probe.vspam-agent.invalid");
    public static final Duration EVERY = Duration.ofSeconds(1);

    private final SourceHealth health;
    private final LookupChain chain;
    private final Set<Source> asking = EnumSet.noneOf(Source.class);
    private final ScheduledFuture<?> schedule;

    /** {@code timer}: the agent's event loops, which the probes' few asynchronous calls do not burden. */
    public SourceProbes(SourceHealth health, LookupChain chain, ScheduledExecutorService timer, Duration every) {
        this.health = health;
        this.chain = chain;
        this.schedule = timer.scheduleWithFixedDelay(this::probe, every.toNanos(), every.toNanos(), TimeUnit.NANOSECONDS);
    }

    private void probe() {
        health.tick();
        health.statuses().forEach((source, status) -> {
            if (status.state() == SourceHealth.State.FAILING && startAsking(source)) {
                chain.ask(source, PROBE).ifPresentOrElse(lookup -> lookup.whenComplete((answer, failure) -> {
                    if (answer != null) {
                        health.record(answer);
                    }
                    doneAsking(source);
                }), () -> doneAsking(source));
            }
        });
    }

    private synchronized boolean startAsking(Source source) {
        return asking.add(source);
    }

    private synchronized void doneAsking(Source source) {
        asking.remove(source);
    }

    @Override
    public void close() {
        schedule.cancel(false);
    }
}
