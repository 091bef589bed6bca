package org.vspam.agent.decision;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.vspam.agent.cache.VerdictCache;
import org.vspam.agent.cache.VerdictCache.Finding;
import org.vspam.agent.indicator.Indicator;
import org.vspam.agent.verdict.Verdict;

/**
 * Decides one request: every indicator is looked up at once; the first listed indicator in request
 * order decides (sender domain, then client IP, then URLs). When the deadline passes, whatever is
 * known decides and the rest counts as unchecked: allow, never a rejection for our own trouble.
 */
public final class DecisionService {
    private final VerdictCache cache;
    private final Duration deadline;
    private final DecisionListener listener;

    public DecisionService(VerdictCache cache, Duration deadline, DecisionListener listener) {
        this.cache = cache;
        this.deadline = deadline;
        this.listener = listener;
    }

    public CompletableFuture<Decision> decide(List<Indicator> indicators, String transport) {
        long started = System.nanoTime();
        CompletableFuture<Decision> decision = decideWithin(indicators);
        if (decision.isDone()) {
            listener.decided(transport, decision.join(), System.nanoTime() - started);
            return decision;
        }
        return decision.whenComplete((done, failure) -> {
            if (done != null) {
                listener.decided(transport, done, System.nanoTime() - started);
            }
        });
    }

    private CompletableFuture<Decision> decideWithin(List<Indicator> indicators) {
        if (indicators.isEmpty()) {
            return CompletableFuture.completedFuture(Decision.nothingToCheck());
        }
        List<CompletableFuture<Finding>> lookups = new ArrayList<>(indicators.size());
        for (Indicator indicator : indicators) {
            lookups.add(cache.lookup(indicator));
        }
        Optional<Decision> early = settle(lookups, false);
        if (early.isPresent()) {
            return CompletableFuture.completedFuture(early.get()); // all cached: no timer, no allocation beyond this
        }
        CompletableFuture<Decision> result = new CompletableFuture<>();
        for (CompletableFuture<Finding> lookup : lookups) {
            lookup.whenComplete((finding, failure) -> settle(lookups, false).ifPresent(result::complete));
        }
        return result.orTimeout(deadline.toNanos(), TimeUnit.NANOSECONDS)
                .exceptionally(deadlinePassed -> settle(lookups, true).orElseThrow());
    }

    /**
     * Walks the findings in request order: a listed one decides as soon as every earlier indicator is
     * known and clean; at the deadline ({@code final}) unknown indicators are skipped as unchecked.
     */
    private static Optional<Decision> settle(List<CompletableFuture<Finding>> lookups, boolean deadlinePassed) {
        List<Finding> findings = new ArrayList<>(lookups.size());
        Finding suspicious = null;
        boolean unchecked = false;
        for (CompletableFuture<Finding> lookup : lookups) {
            Finding finding = lookup.getNow(null);
            if (finding == null) {
                if (!deadlinePassed) {
                    return Optional.empty();
                }
                unchecked = true;
                continue;
            }
            findings.add(finding);
            if (finding.verdict().isEmpty()) {
                unchecked = true;
                continue;
            }
            Verdict verdict = finding.verdict().get().verdict();
            if (verdict instanceof Verdict.Listed) {
                return Optional.of(new Decision(verdict, Optional.of(finding), findings, false));
            }
            if (verdict instanceof Verdict.Suspicious && suspicious == null) {
                suspicious = finding;
            }
        }
        if (suspicious != null) {
            return Optional.of(new Decision(suspicious.verdict().orElseThrow().verdict(), Optional.of(suspicious), findings, unchecked));
        }
        return Optional.of(new Decision(Verdict.CLEAN, Optional.empty(), findings, unchecked));
    }
}
