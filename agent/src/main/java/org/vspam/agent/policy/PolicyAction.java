package org.vspam.agent.policy;

import org.vspam.agent.decision.Listing;
import org.vspam.agent.decision.Outcome;
import org.vspam.agent.decision.Replies;
import org.vspam.config.ReplyText;

/**
 * What the agent tells Postfix. {@link #of} is the one place an outcome becomes an action, and
 * {@link #wireText()} the one place an action becomes protocol text.
 */
public sealed interface PolicyAction {

    /** No opinion: Postfix goes on with its other restrictions. */
    record Dunno() implements PolicyAction {
    }

    /** Refuse the recipient: a 5xx reply, or {@code REJECT text}. */
    record Reject(String message) implements PolicyAction {
    }

    /** Refuse for now: a 4xx reply, or {@code DEFER_IF_PERMIT text}. */
    record Defer(String message) implements PolicyAction {
    }

    /** Accept, adding a header to the message ({@code PREPEND name: value}). */
    record Prepend(String header) implements PolicyAction {
    }

    PolicyAction DUNNO = new Dunno();

    /** The longest header value the agent writes: a header line stays well under SMTP's 998 octets. */
    int MAX_HEADER_VALUE = 200;

    /** The action for an outcome, its texts filled from the listing. */
    static PolicyAction of(Outcome outcome, Replies replies) {
        return switch (outcome) {
            case Outcome.Refuse refuse -> new Reject(fill(replies.reject(), outcome, replies));
            case Outcome.Defer defer -> new Defer(fill(replies.defer(), outcome, replies));
            case Outcome.Tag tag -> new Prepend(replies.headerName() + ": " + headerValue(tag.why().listing()));
            case Outcome.Allow allow -> DUNNO;
        };
    }

    private static String fill(ReplyText text, Outcome outcome, Replies replies) {
        return outcome.listing()
                .map(listing -> text.render(listing.category(), listing.finding().indicator().value(), replies.delistUrl()))
                .orElseGet(() -> text.render("unchecked", "", replies.delistUrl()));
    }

    /** {@code listed; category=phishing_url; indicator=domain}, each value reduced to what a header can carry. */
    static String headerValue(Listing listing) {
        String value = listing.verdict().label() + "; category=" + token(listing.category()) + "; indicator="
                + listing.finding().indicator().kind().iocType();
        return value.length() > MAX_HEADER_VALUE ? value.substring(0, MAX_HEADER_VALUE) : value;
    }

    private static String token(String text) {
        String token = text.replaceAll("[^A-Za-z0-9_.-]", "_");
        return token.isEmpty() ? "unknown" : token;
    }

    /**
     * The response line and the empty line that ends it. A message that starts with an SMTP reply
     * code is itself the action ({@code action=550 ...}); other text goes behind its action word.
     */
    default String wireText() {
        return switch (this) {
            case Dunno d -> "action=DUNNO\n\n";
            case Reject r -> (new ReplyText(r.message()).hasCode() ? "action=" : "action=REJECT ") + r.message() + "\n\n";
            case Defer d -> (new ReplyText(d.message()).hasCode() ? "action=" : "action=DEFER_IF_PERMIT ") + d.message() + "\n\n";
            case Prepend p -> "action=PREPEND " + p.header() + "\n\n";
        };
    }
}
