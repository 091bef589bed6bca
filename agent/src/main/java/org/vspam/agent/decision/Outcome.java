package org.vspam.agent.decision;

import java.util.Locale;
import java.util.Optional;
import org.vspam.config.Action;

/**
 * What the agent does with one request, and why: the decision's one result. Postfix's answer is
 * rendered from it in {@code policy.PolicyAction}, the HTTP answer in {@code http.CheckController}.
 */
public sealed interface Outcome {

    /** Refused for good (a listing whose family's action is {@code reject}). */
    record Refuse(Why.Listed why) implements Outcome {
    }

    /** Refused for now: a listing whose action is {@code defer}, or nothing checked under {@code failure_action: defer}. */
    record Defer(Why why) implements Outcome {
    }

    /**
     * Accepted with a header: a listing whose action is {@code prepend}, or, in monitor mode, one
     * that would have been refused or deferred ({@code withheld}).
     */
    record Tag(Why.Listed why, Optional<Action> withheld) implements Outcome {
    }

    /** Accepted as it is. */
    record Allow(Why why) implements Outcome {
    }

    Why why();

    /** The action as a word: the HTTP answer's {@code action} and a metric label. */
    enum Word {
        REJECT, DEFER, TAG, ALLOW;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    default Word word() {
        return switch (this) {
            case Refuse r -> Word.REJECT;
            case Defer d -> Word.DEFER;
            case Tag t -> Word.TAG;
            case Allow a -> Word.ALLOW;
        };
    }

    default Optional<Listing> listing() {
        return why() instanceof Why.Listed listed ? Optional.of(listed.listing()) : Optional.empty();
    }

    /** Why an outcome is what it is. */
    sealed interface Why {
        /** Found listed or suspicious. */
        record Listed(Listing listing) implements Why {
        }

        /** Not looked up: an allow-list entry covers the client or the sender ({@code allow_senders: example.org}). */
        record AllowedByList(String entry) implements Why {
        }

        /** Not looked up: the sender authenticated ({@code sasl_username}), so the mail is the server's own users'. */
        record Authenticated(String username) implements Why {
        }

        /** Something could not be checked and nothing was found. */
        record Unchecked() implements Why {
        }

        /** Checked, and nothing was found; or there was nothing to check. */
        record Clean() implements Why {
        }

        Why UNCHECKED = new Unchecked();
        Why CLEAN = new Clean();

        /** A small fixed name, for metric labels. */
        enum Kind {
            LISTED, SUSPICIOUS, ALLOW_LIST, AUTHENTICATED, UNCHECKED, CLEAN;

            public String label() {
                return name().toLowerCase(Locale.ROOT);
            }
        }

        default Kind kind() {
            return switch (this) {
                case Listed listed -> listed.listing().listed() ? Kind.LISTED : Kind.SUSPICIOUS;
                case AllowedByList allowed -> Kind.ALLOW_LIST;
                case Authenticated authenticated -> Kind.AUTHENTICATED;
                case Unchecked unchecked -> Kind.UNCHECKED;
                case Clean clean -> Kind.CLEAN;
            };
        }
    }
}
