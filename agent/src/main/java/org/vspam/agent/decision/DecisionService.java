package org.vspam.agent.decision;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.vspam.agent.cache.Finding;
import org.vspam.agent.cache.VerdictCache;
import org.vspam.agent.indicator.Indicator;

/**
 * Decides one request: first the controls that need no lookup (allow-lists, authenticated
 * senders); then every indicator is looked up at once, and the first listing of the most severe
 * action decides (sender domain, then client IP, then URLs). When the deadline passes, whatever is
 * known decides and the rest counts as unchecked: never a rejection for our own trouble.
 */
public final class DecisionService {
    private final VerdictCache cache;
    private final Duration deadline;
    private final ScheduledExecutorService deadlines;
    private final DecisionListener listener;
    private final Supplier<Controls> controls;

    /** {@code deadlines} keeps the deadline for callers that do not bring a scheduler of their own. */
    public DecisionService(VerdictCache cache, Duration deadline, ScheduledExecutorService deadlines, DecisionListener listener,
                           Supplier<Controls> controls) {
        this.cache = cache;
        this.deadline = deadline;
        this.deadlines = deadlines;
        this.listener = listener;
        this.controls = controls;
    }

    public CompletableFuture<Decision> decide(MailQuery query, Transport transport) {
        return decide(query, transport, deadlines);
    }

    /**
     * Decides with the deadline kept by the caller's own scheduler: the policy server passes the
     * connection's event loop, so a lookup answered on that loop neither starts nor wakes another
     * thread for its deadline (a shared timer thread measurably stretched the latency tail).
     */
    public CompletableFuture<Decision> decide(MailQuery query, Transport transport, ScheduledExecutorService timer) {
        long started = System.nanoTime();
        Controls now = controls.get(); // one request sees one set of controls, even across a reload
        CompletableFuture<Decision> decision = now.screen(query, transport)
                .map(screened -> CompletableFuture.completedFuture(new Decision(screened, List.of())))
                .orElseGet(() -> decideWithin(query.indicators(), now, now.spares(query), timer));
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

    private CompletableFuture<Decision> decideWithin(List<Indicator> indicators, Controls now, boolean spared,
                                                     ScheduledExecutorService timer) {
        if (indicators.isEmpty()) {
            return CompletableFuture.completedFuture(new Decision(now.conclude(Optional.empty(), false), List.of()));
        }
        List<CompletableFuture<Finding>> lookups = new ArrayList<>(indicators.size());
        for (Indicator indicator : indicators) {
            lookups.add(cache.lookup(indicator));
        }
        Optional<Decision> early = settle(lookups, now, spared, false);
        if (early.isPresent()) {
            return CompletableFuture.completedFuture(early.get()); // all cached: no timer, no allocation beyond this
        }
        CompletableFuture<Decision> result = new CompletableFuture<>();
        for (CompletableFuture<Finding> lookup : lookups) {
            lookup.whenComplete((finding, failure) -> settle(lookups, now, spared, false).ifPresent(result::complete));
        }
        ScheduledFuture<?> deadlinePassed = timer.schedule(() -> result.complete(settle(lookups, now, spared, true).orElseThrow()),
                deadline.toNanos(), TimeUnit.NANOSECONDS);
        result.whenComplete((done, failure) -> deadlinePassed.cancel(false));
        return result;
    }

    /**
     * Walks the findings in request order: a listing nothing can outrank decides as soon as every
     * earlier indicator is known; otherwise all must be known, or the deadline ({@code deadlinePassed})
     * has passed and the unknown ones count as unchecked.
     */
    private static Optional<Decision> settle(List<CompletableFuture<Finding>> lookups, Controls controls, boolean spared,
                                             boolean deadlinePassed) {
        List<Finding> findings = new ArrayList<>(lookups.size());
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
            if (finding instanceof Finding.Unanswered) {
                unchecked = true;
            }
            Optional<Listing> listing = Listing.from(finding);
            if (listing.isPresent() && controls.unbeatable(listing.get())) {
                return Optional.of(new Decision(controls.conclude(listing, false, spared), findings));
            }
        }
        return Optional.of(new Decision(controls.conclude(controls.decisive(findings), unchecked, spared), findings));
    }
}
