package org.vspam.agent.observe;

import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vspam.agent.cache.Finding;
import org.vspam.agent.decision.Decision;
import org.vspam.agent.decision.DecisionListener;
import org.vspam.agent.decision.Listing;
import org.vspam.agent.decision.Outcome;
import org.vspam.agent.decision.Transport;
import org.vspam.agent.lookup.Source;

/**
 * One line per refused, deferred or tagged request, so that grepping the log for a domain explains
 * what happened to its mail (in monitor mode: what would have); allowed requests only at debug.
 */
@Singleton
public final class BlockLog implements DecisionListener {
    private static final Logger BLOCKED = LoggerFactory.getLogger("org.vspam.agent.blocked");
    private static final Logger DEFERRED = LoggerFactory.getLogger("org.vspam.agent.deferred");
    private static final Logger TAGGED = LoggerFactory.getLogger("org.vspam.agent.tagged");
    private static final Logger MONITOR = LoggerFactory.getLogger("org.vspam.agent.monitor");
    private static final Logger ALLOWED = LoggerFactory.getLogger("org.vspam.agent.allowed");

    @Override
    public void decided(Transport transport, Decision decision, long nanos) {
        switch (decision.outcome()) {
            case Outcome.Refuse refuse -> describe(BLOCKED, "", refuse.why().listing(), transport);
            case Outcome.Defer defer when defer.listing().isPresent() -> describe(DEFERRED, "", defer.listing().get(), transport);
            case Outcome.Defer defer -> DEFERRED.info("nothing could be checked (failure_action: defer) via={}", transport);
            case Outcome.Tag tag when tag.withheld().isPresent() ->
                    describe(MONITOR, "would " + tag.withheld().get().word() + " (mode: monitor, tagged instead): ", tag.why().listing(), transport);
            case Outcome.Tag tag -> describe(TAGGED, "", tag.why().listing(), transport);
            case Outcome.Allow allow -> {
                if (ALLOWED.isDebugEnabled()) {
                    ALLOWED.debug("{} indicators={} via={}", why(allow.why()),
                            decision.findings().stream().map(f -> f.indicator().value()).toList(), transport);
                }
            }
        }
    }

    private static void describe(Logger log, String prefix, Listing listing, Transport transport) {
        if (!log.isInfoEnabled()) {
            return;
        }
        Finding.Answered finding = listing.finding();
        log.info("{}{} {} category={} source={} via={}", prefix, finding.indicator().kind().iocType(), finding.indicator().value(),
                listing.category(), origin(finding), transport);
    }

    private static String why(Outcome.Why why) {
        return switch (why) {
            case Outcome.Why.Listed listed -> listed.listing().verdict().label() + " " + listed.listing().category() + ", action allow";
            case Outcome.Why.AllowedByList allowed -> "allowed by " + allowed.entry();
            case Outcome.Why.Authenticated authenticated -> "not checked: authenticated as " + authenticated.username();
            case Outcome.Why.Unchecked unchecked -> "unchecked (fail-open)";
            case Outcome.Why.Clean clean -> "clean";
        };
    }

    private static String origin(Finding.Answered finding) {
        String origin = finding.verdict().origin().label();
        return finding.source() == Source.LOCAL_CACHE ? "local_cache(" + origin + ")" : origin;
    }
}
