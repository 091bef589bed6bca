package org.vspam.agent.lookup;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.vspam.agent.indicator.Indicator;

/**
 * Asks sources in order until one answers. The order is data (SPEC §7: shared cache → API →
 * DNSBL); a source that fails is simply the reason to ask the next one.
 */
public final class LookupChain {
    private final List<LookupSource> sources;
    private final List<LookupListener> listeners;

    public LookupChain(List<LookupSource> sources, List<LookupListener> listeners) {
        this.sources = List.copyOf(sources);
        this.listeners = List.copyOf(listeners);
    }

    public List<Source> order() {
        return sources.stream().map(LookupSource::source).toList();
    }

    /** Runs the chain; the result always completes normally. */
    public CompletableFuture<Result> lookup(Indicator indicator) {
        return next(indicator, 0, new ArrayList<>());
    }

    private CompletableFuture<Result> next(Indicator indicator, int index, List<Step> steps) {
        if (index == sources.size()) {
            return CompletableFuture.completedFuture(new Result(indicator, Optional.empty(), steps));
        }
        LookupSource source = sources.get(index);
        long started = System.nanoTime();
        return safely(source, indicator).thenCompose(lookup -> {
            Step step = new Step(lookup, System.nanoTime() - started);
            steps.add(step);
            listeners.forEach(listener -> listener.looked(indicator, step));
            if (lookup instanceof Lookup.Answered answered) {
                return CompletableFuture.completedFuture(new Result(indicator, Optional.of(answered), steps));
            }
            return next(indicator, index + 1, steps);
        });
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

    /** The chain's answer, if any source gave one, and every step taken to get it. */
    public record Result(Indicator indicator, Optional<Lookup.Answered> answer, List<Step> steps) {
        public Result {
            steps = List.copyOf(steps);
        }
    }
}
