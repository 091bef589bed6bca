package org.vspam.agent.lookup;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import org.vspam.agent.indicator.Indicator;

/**
 * Asks sources in order until one answers. The order is data (SPEC §7: shared cache → API →
 * DNSBL); a source that fails is simply the reason to ask the next one. A fresh answer holds for
 * {@code cache_ttl} and is written back to every cache tier that was asked before it.
 */
public final class LookupChain {
    private final List<LookupSource> sources;
    private final List<LookupListener> listeners;
    private final Duration ttl;
    private final Clock clock;

    public LookupChain(List<LookupSource> sources, List<LookupListener> listeners, Duration ttl, Clock clock) {
        this.sources = List.copyOf(sources);
        this.listeners = List.copyOf(listeners);
        this.ttl = ttl;
        this.clock = clock;
    }

    public List<Source> order() {
        return sources.stream().map(LookupSource::source).toList();
    }

    /**
     * Asks one source directly, outside the chain: no cache, no listeners, no other source. For a
     * probe of a source's health; empty when the chain has no such source.
     */
    public Optional<CompletableFuture<Lookup>> ask(Source source, Indicator indicator) {
        return sources.stream().filter(candidate -> candidate.source() == source).findFirst().map(candidate -> candidate.lookup(indicator));
    }

    /** Runs the chain; the result always completes normally. */
    public CompletableFuture<Result> lookup(Indicator indicator) {
        return next(indicator, 0, new ArrayList<>(), null);
    }

    /**
     * Runs the chain without one source (the API, for a client over its budget of new lookups), writing nothing back:
     * an answer the whole chain did not give is not what the cache tiers should hold for {@code cache_ttl}.
     */
    public CompletableFuture<Result> lookupWithout(Source left, Indicator indicator) {
        return next(indicator, 0, new ArrayList<>(), left);
    }

    private CompletableFuture<Result> next(Indicator indicator, int index, List<Step> steps, Source left) {
        if (index == sources.size()) {
            return CompletableFuture.completedFuture(new Result(indicator, Optional.empty(), steps));
        }
        LookupSource source = sources.get(index);
        if (source.source() == left) {
            return next(indicator, index + 1, steps, left);
        }
        long started = System.nanoTime();
        return safely(source, indicator).thenCompose(lookup -> {
            Step step = new Step(lookup, System.nanoTime() - started);
            steps.add(step);
            listeners.forEach(listener -> listener.looked(indicator, step));
            if (lookup instanceof Lookup.Answered answered) {
                Lookup.Answered settled = left == null ? settle(indicator, answered, index) : stamped(answered);
                return CompletableFuture.completedFuture(new Result(indicator, Optional.of(settled), steps));
            }
            return next(indicator, index + 1, steps, left);
        });
    }

    /** Stamps a fresh answer with its expiry and writes it back to the tiers asked before it. */
    private Lookup.Answered settle(Indicator indicator, Lookup.Answered answer, int answeredBy) {
        if (answer.expiresAtMillis().isPresent()) {
            return answer;
        }
        Lookup.Answered stamped = stamped(answer);
        long expiresAt = stamped.expiresAtMillis().orElseThrow();
        for (int i = 0; i < answeredBy; i++) {
            if (sources.get(i) instanceof CacheTier tier) {
                tier.store(indicator, stamped, expiresAt);
            }
        }
        return stamped;
    }

    private Lookup.Answered stamped(Lookup.Answered answer) {
        return answer.expiresAtMillis().isPresent() ? answer
                : new Lookup.Answered(answer.source(), answer.verdict(), OptionalLong.of(clock.millis() + ttl.toMillis()));
    }

    private static CompletableFuture<Lookup> safely(LookupSource source, Indicator indicator) {
        try {
            return source.lookup(indicator).exceptionally(failure -> error(source, failure));
        } catch (RuntimeException failure) {
            return CompletableFuture.completedFuture(error(source, failure));
        }
    }

    private static Lookup error(LookupSource source, Throwable failure) {
        return new Lookup.Skipped(source.source(), Lookup.Reason.ERROR, String.valueOf(failure));
    }

    /** What one source said and how long it took. */
    public record Step(Lookup lookup, long nanos) {
    }

    /** The chain's answer, if any source gave one (always with its expiry), and every step taken. */
    public record Result(Indicator indicator, Optional<Lookup.Answered> answer, List<Step> steps) {
        public Result {
            steps = List.copyOf(steps);
        }
    }
}
