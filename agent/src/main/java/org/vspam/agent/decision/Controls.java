package org.vspam.agent.decision;

import java.util.List;
import java.util.Optional;
import org.vspam.agent.cache.Finding;
import org.vspam.config.Action;
import org.vspam.config.Actions;
import org.vspam.config.AgentConfig;
import org.vspam.config.AllowList;
import org.vspam.config.ClientRange;
import org.vspam.config.FailureAction;
import org.vspam.config.Mode;

/**
 * The operator's controls, applied to a request before any lookup (allow-lists, authenticated
 * senders) and to what the lookups found (the family's action, monitor mode, the failure action,
 * allowed recipients). Immutable: a reload or a changed allow file makes a new one.
 *
 * <p>An allowed recipient ({@code allow_recipients}, by default {@code abuse@} and {@code postmaster@})
 * is never refused mail, and how depends on what the answer is for. Postfix asks the policy service
 * once per recipient, so that request is not looked up at all ({@code DUNNO}). A message (the milter,
 * {@code check --message}) has one answer for all its recipients: it is looked up as any other, and
 * where it would have been refused or deferred it is accepted with the header instead, so that the
 * abuse desk sees why.
 */
public record Controls(AllowList allowList, boolean skipAuthenticated, Mode mode, Actions actions, FailureAction failureAction,
                       Replies replies) {

    public static Controls of(AgentConfig config, AllowList fromFile) {
        return new Controls(config.allowList().and(fromFile), config.skipAuthenticated(), config.mode(), config.actions(),
                config.failureAction(), Replies.of(config));
    }

    /** The outcome when the request is not to be looked up at all. */
    public Optional<Outcome> screen(MailQuery query, Transport transport) {
        if (skipAuthenticated && !query.saslUsername().isBlank()) {
            return Optional.of(new Outcome.Allow(new Outcome.Why.Authenticated(query.saslUsername())));
        }
        if (transport == Transport.POLICY && !query.recipients().isEmpty()) {
            Optional<String> recipient = allowList.matchRecipient(query.recipients());
            if (recipient.isPresent()) {
                return Optional.of(new Outcome.Allow(new Outcome.Why.AllowedByList(recipient.get())));
            }
        }
        if (allowList.isEmpty()) {
            return Optional.empty();
        }
        return allowList.match(ClientRange.address(query.clientAddress()), query.sender(), query.senderDomain())
                .map(entry -> new Outcome.Allow(new Outcome.Why.AllowedByList(entry)));
    }

    /** True when the message is for an allowed recipient: it is then never refused or deferred (see above). */
    public boolean spares(MailQuery query) {
        return !query.recipients().isEmpty() && allowList.matchRecipient(query.recipients()).isPresent();
    }

    /**
     * The outcome of what was found, for a message that {@link #spares} or not: a spared message that
     * would have been refused or deferred for a listing is tagged with the action withheld, as in
     * monitor mode; one deferred because nothing could be checked is accepted.
     */
    public Outcome conclude(Optional<Listing> decisive, boolean unchecked, boolean spared) {
        Outcome outcome = conclude(decisive, unchecked);
        if (!spared) {
            return outcome;
        }
        return switch (outcome) {
            case Outcome.Refuse refuse -> new Outcome.Tag(refuse.why(), Optional.of(Action.REJECT));
            case Outcome.Defer defer when defer.why() instanceof Outcome.Why.Listed listed -> new Outcome.Tag(listed, Optional.of(Action.DEFER));
            case Outcome.Defer defer -> new Outcome.Allow(defer.why());
            default -> outcome;
        };
    }

    /** What a listing's family asks for. */
    public Action actionFor(Listing listing) {
        return actions.of(listing.family());
    }

    /**
     * The outcome of what was found: the decisive listing (the first of the most severe action, see
     * {@link DecisionService}), or, with none, whether something went unchecked.
     */
    public Outcome conclude(Optional<Listing> decisive, boolean unchecked) {
        if (decisive.isEmpty()) {
            if (!unchecked) {
                return new Outcome.Allow(Outcome.Why.CLEAN);
            }
            return failureAction == FailureAction.DEFER && mode == Mode.ENFORCE
                    ? new Outcome.Defer(Outcome.Why.UNCHECKED) : new Outcome.Allow(Outcome.Why.UNCHECKED);
        }
        Outcome.Why.Listed why = new Outcome.Why.Listed(decisive.get());
        Action action = actionFor(decisive.get());
        if (mode == Mode.MONITOR && (action == Action.REJECT || action == Action.DEFER)) {
            return new Outcome.Tag(why, Optional.of(action));
        }
        return switch (action) {
            case REJECT -> new Outcome.Refuse(why);
            case DEFER -> new Outcome.Defer(why);
            case PREPEND -> new Outcome.Tag(why, Optional.empty());
            case ALLOW -> new Outcome.Allow(why);
        };
    }

    /** The decisive listing among findings known so far, all of them known: the first with the most severe action. */
    public Optional<Listing> decisive(List<Finding> findings) {
        Listing best = null;
        for (Finding finding : findings) {
            Optional<Listing> listing = Listing.from(finding);
            if (listing.isPresent() && (best == null || rank(listing.get()) > rank(best))) {
                best = listing.get();
            }
        }
        return Optional.ofNullable(best);
    }

    /** REJECT outranks DEFER outranks PREPEND outranks ALLOW; at the same action, a listed verdict outranks a suspicious one. */
    private int rank(Listing listing) {
        int severity = switch (actionFor(listing)) {
            case REJECT -> 3;
            case DEFER -> 2;
            case PREPEND -> 1;
            case ALLOW -> 0;
        };
        return severity * 2 + (listing.listed() ? 1 : 0);
    }

    /** True when nothing found later could outrank {@code listing}: it may decide before the rest is known. */
    boolean unbeatable(Listing listing) {
        return listing.listed() && actionFor(listing) == Action.REJECT;
    }
}
