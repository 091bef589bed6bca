package org.vspam.agent.policy;

import org.vspam.agent.decision.Decision;
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

    /** The action for an outcome, its texts filled from the listing. */
    /** A decision, told with the texts it was decided under. */
    static PolicyAction of(Decision decision) {
        return of(decision.outcome(), decision.replies());
    }

    static PolicyAction of(Outcome outcome, Replies replies) {
        return switch (outcome) {
            case Outcome.Refuse refuse -> new Reject(replies.refusal(outcome));
            case Outcome.Defer defer -> new Defer(replies.refusal(outcome));
            case Outcome.Tag tag -> new Prepend(replies.headerName() + ": " + Replies.headerValue(tag.why().listing()));
            case Outcome.Allow allow -> DUNNO;
        };
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
