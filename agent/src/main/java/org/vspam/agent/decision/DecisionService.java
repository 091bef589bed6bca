package org.vspam.agent.decision;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
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
    private final ScheduledExecutorService deadlines;
    private final DecisionListener listener;

    /** {@code deadlines} keeps the deadline for callers that do not bring a scheduler of their own. */
    public DecisionService(VerdictCache cache, Duration deadline, ScheduledExecutorService deadlines, DecisionListener listener) {
        this.cache = cache;
        this.deadline = deadline;
        this.deadlines = deadlines;
        this.listener = listener;
    }

    public CompletableFuture<Decision> decide(List<Indicator> indicators, String transport) {
        return decide(indicators, transport, deadlines);
    }

    /**
     * Decides with the deadline kept by the caller's own scheduler: the policy server passes the
     * connection's event loop, so a lookup answered on that loop neither starts nor wakes another
     * thread for its deadline (a shared timer thread measurably stretched the latency tail).
     */
    public CompletableFuture<Decision> decide(List<Indicator> indicators, String transport, ScheduledExecutorService timer) {
        long started = System.nanoTime();
        CompletableFuture<Decision> decision = decideWithin(indicators, timer);
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

    private CompletableFuture<Decision> decideWithin(List<Indicator> indicators, ScheduledExecutorService timer) {
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
        ScheduledFuture<?> deadlinePassed = timer.schedule(() -> result.complete(settle(lookups, true).orElseThrow()),
                deadline.toNanos(), TimeUnit.NANOSECONDS);
        result.whenComplete((done, failure) -> deadlinePassed.cancel(false));
        return result;
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
