package org.vspam.agent.decision;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vspam.agent.cache.Finding;
import org.vspam.agent.cache.NewLookups;
import org.vspam.agent.cache.VerdictCache;
import org.vspam.agent.indicator.Indicator;
import org.vspam.agent.lookup.Failures;

/**
 * Decides one request: first the controls that need no lookup (allow-lists, authenticated
 * senders); then every indicator is looked up at once, and the first listing of the most severe
 * action decides (sender domain, then client IP, then URLs). When the deadline passes, whatever is
 * known decides and the rest counts as unchecked: never a rejection for our own trouble.
 *
 * <p>It never fails: a failure of its own (or of the transport's reading of a message) is decided
 * as a request nothing could be checked for, under {@code failure_action}, the same for every
 * transport; the transports only render the decision.
 */
public final class DecisionService {
    private static final Logger LOG = LoggerFactory.getLogger(DecisionService.class);
    private static final Duration FAILURE_LINE_EVERY = Duration.ofMinutes(1);
    private final VerdictCache cache;
    private final Duration deadline;
    private final ScheduledExecutorService deadlines;
    private final DecisionListener listener;
    private final Supplier<Controls> controls;
    /** When a failure was last told (System.nanoTime()), so that one failing on every request is one line a minute. */
    private final AtomicLong failureToldAt = new AtomicLong(System.nanoTime() - FAILURE_LINE_EVERY.toNanos());

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
        return decide(query, transport, deadlines, NewLookups.UNBOUNDED);
    }

    /** Decides with the client's budget of lookups the cache cannot answer ({@link NewLookups}): the HTTP API's clients. */
    public CompletableFuture<Decision> decide(MailQuery query, Transport transport, NewLookups budget) {
        return decide(query, transport, deadlines, budget);
    }

    /**
     * Decides with the deadline kept by the caller's own scheduler: the policy server passes the
     * connection's event loop, so a lookup answered on that loop neither starts nor wakes another
     * thread for its deadline (a shared timer thread measurably stretched the latency tail).
     */
    public CompletableFuture<Decision> decide(MailQuery query, Transport transport, ScheduledExecutorService timer) {
        return decide(query, transport, timer, NewLookups.UNBOUNDED);
    }

    private CompletableFuture<Decision> decide(MailQuery query, Transport transport, ScheduledExecutorService timer, NewLookups budget) {
        long started = System.nanoTime();
        Controls now = controls.get(); // one request sees one set of controls, even across a reload
        CompletableFuture<Decision> decision;
        try {
            decision = now.screen(query, transport)
                    .map(screened -> CompletableFuture.completedFuture(new Decision(screened, List.of(), now.replies())))
                    .orElseGet(() -> decideWithin(query.indicators(), now, now.spares(query), timer, budget));
        } catch (RuntimeException e) {
            decision = CompletableFuture.failedFuture(e);
        }
        if (decision.isDone()) { // the common case, every indicator cached: no more allocation than the answer's own
            if (decision.isCompletedExceptionally()) {
                decision = CompletableFuture.completedFuture(failed(query, now, transport, decision.exceptionNow()));
            }
            told(transport, decision.join(), started);
            return decision;
        }
        return decision.handle((decided, failure) -> {
            Decision done = decided != null ? decided : failed(query, now, transport, failure);
            told(transport, done, started);
            return done;
        });
    }

    /**
     * What a request is answered when it could not be decided, by a failure of the agent's own (never a source's outage, which
     * is an unchecked lookup): as for mail nothing could be checked for, under {@code failure_action}, and one line a minute at most.
     */
    public Decision unchecked(MailQuery query, Transport transport, Throwable failure) {
        return failed(query, controls.get(), transport, failure);
    }

    private Decision failed(MailQuery query, Controls now, Transport transport, Throwable failure) {
        Outcome outcome = now.conclude(Optional.empty(), true, spares(now, query));
        if (failureDue()) {
            LOG.error("a {} request could not be decided ({}); answered as mail nothing could be checked for: {} (said at most once a minute)",
                    transport.label(), Failures.rootMessage(failure), outcome.word().label(), failure);
        }
        return new Decision(outcome, List.of(), now.replies());
    }

    private boolean failureDue() {
        long now = System.nanoTime();
        long before = failureToldAt.get();
        return now - before >= FAILURE_LINE_EVERY.toNanos() && failureToldAt.compareAndSet(before, now);
    }

    private static boolean spares(Controls now, MailQuery query) {
        try {
            return now.spares(query);
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** The listeners (metrics, logs, reports) told; their trouble never changes an answer. */
    private void told(Transport transport, Decision done, long started) {
        try {
            listener.decided(transport, done, System.nanoTime() - started);
        } catch (RuntimeException e) {
            if (failureDue()) {
                LOG.error("a decision's metrics, log or report failed ({}); the answer stands (said at most once a minute)",
                        Failures.rootMessage(e), e);
            }
        }
    }

    /**
     * Starts the lookups of what a request will be decided on, before it can be (the milter, at MAIL FROM: the message's end
     * then finds them in flight or done); nothing, for a request the controls spare from lookups. True when screened so.
     */
    public boolean prefetch(MailQuery query, Transport transport) {
        Controls now = controls.get();
        if (now.screen(query, transport).isPresent()) {
            return true;
        }
        query.indicators().forEach(cache::lookup);
        return false;
    }

    /** Starts the lookup of one more indicator of a request {@link #prefetch} did not screen out (a link host, as a body is read). */
    public void prefetch(Indicator indicator) {
        cache.lookup(indicator);
    }

    private CompletableFuture<Decision> decideWithin(List<Indicator> indicators, Controls now, boolean spared,
                                                     ScheduledExecutorService timer, NewLookups budget) {
        if (indicators.isEmpty()) {
            return CompletableFuture.completedFuture(new Decision(now.conclude(Optional.empty(), false), List.of(), now.replies()));
        }
        List<CompletableFuture<Finding>> lookups = new ArrayList<>(indicators.size());
        for (Indicator indicator : indicators) {
            lookups.add(cache.lookup(indicator, budget));
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
                return Optional.of(new Decision(controls.conclude(listing, false, spared), findings, controls.replies()));
            }
        }
        return Optional.of(new Decision(controls.conclude(controls.decisive(findings), unchecked, spared), findings, controls.replies()));
    }
}
