package org.vspam.agent.cache;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import io.micronaut.serde.ObjectMapper;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vspam.agent.indicator.Indicator;
import org.vspam.agent.lookup.LookupChain;
import org.vspam.agent.lookup.Source;

/**
 * The local tier: Caffeine's async cache in front of the lookup chain. A lookup in flight is itself
 * the cache entry, so concurrent requests for one indicator share one upstream call; a chain that
 * found no answer completes the entry with nothing, which Caffeine drops, so errors are never cached.
 */
public final class VerdictCache implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(VerdictCache.class);

    private final AsyncCache<Indicator, CachedVerdict> cache;
    private final LookupChain chain;
    private final Clock clock;
    private final Optional<CacheSnapshot> snapshot;

    public VerdictCache(LookupChain chain, long maximumEntries, Optional<Path> snapshotPath, ObjectMapper json, Clock clock) {
        this.chain = chain;
        this.clock = clock;
        this.cache = Caffeine.newBuilder()
                .maximumSize(maximumEntries)
                // Maintenance on the calling thread: on a small machine, waking a pool thread for it
                // costs more than the work itself, and shows up as answer latency.
                .executor(Runnable::run)
                .expireAfter(Expiry.creating((Indicator indicator, CachedVerdict verdict) ->
                        Duration.ofMillis(verdict.remainingMillis(clock.millis()))))
                .buildAsync();
        this.snapshot = snapshotPath.map(path -> new CacheSnapshot(path, json)).filter(CacheSnapshot::writable);
        snapshot.ifPresent(this::restore);
    }

    /** The verdict for an indicator, from the cache or the chain; never completes exceptionally. */
    public CompletableFuture<Finding> lookup(Indicator indicator) {
        return lookup(indicator, NewLookups.UNBOUNDED);
    }

    /**
     * The same, within a budget of new lookups: what the cache holds or is already looking up costs nothing; a lookup
     * over the budget asks every source but the API, and is not kept (its answer is not the whole chain's).
     */
    public CompletableFuture<Finding> lookup(Indicator indicator, NewLookups budget) {
        CompletableFuture<CachedVerdict> cached = cache.getIfPresent(indicator);
        if (cached != null && cached.isDone()) {
            CachedVerdict verdict = cached.getNow(null);
            if (verdict != null) {
                return CompletableFuture.completedFuture(Finding.cached(indicator, verdict));
            }
        }
        CompletableFuture<CachedVerdict> answer = cached != null || budget.take()
                ? cache.get(indicator, (key, executor) -> chain.lookup(key).thenApply(VerdictCache::toCached))
                : chain.lookupWithout(Source.API, indicator).thenApply(VerdictCache::toCached);
        return answer.handle((verdict, failure) -> verdict == null ? new Finding.Unanswered(indicator) : Finding.of(indicator, verdict));
    }

    /** The chain's answer with the expiry the chain gave it (the remaining lifetime for a shared-cache hit). */
    private static CachedVerdict toCached(LookupChain.Result result) {
        return result.answer()
                .map(answer -> new CachedVerdict(answer.verdict(), answer.source(), answer.expiresAtMillis().orElseThrow()))
                .orElse(null);
    }

    /** Puts a restored verdict, keeping its remaining lifetime rather than a fresh one. */
    private void put(Indicator indicator, CachedVerdict verdict) {
        if (verdict.remainingMillis(clock.millis()) > 0) {
            cache.put(indicator, CompletableFuture.completedFuture(verdict));
        }
    }

    public long size() {
        return cache.synchronous().estimatedSize();
    }

    /** Verdicts kept at most; the least used go first. */
    public long capacity() {
        return cache.synchronous().policy().eviction().orElseThrow().getMaximum();
    }

    private Map<Indicator, CachedVerdict> entries() {
        Map<Indicator, CachedVerdict> entries = new LinkedHashMap<>();
        cache.synchronous().asMap().forEach(entries::put);
        return entries;
    }

    private void restore(CacheSnapshot file) {
        Map<Indicator, CachedVerdict> entries = file.read(clock.millis());
        entries.forEach(this::put);
        if (!entries.isEmpty()) {
            LOG.info("restored {} cached verdicts from {}", entries.size(), file.path());
        }
    }

    /** Writes the snapshot, so the next start begins warm. */
    @Override
    public void close() {
        snapshot.ifPresent(file -> file.write(entries()));
    }
}
