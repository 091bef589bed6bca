package org.vspam.agent.policy;

import java.util.regex.Pattern;

/** What the agent tells Postfix; {@link #wireText()} is the only place it becomes protocol text. */
public sealed interface PolicyAction {

    /** No opinion: Postfix goes on with its other restrictions. */
    record Dunno() implements PolicyAction {
    }

    /** Refuse the recipient with the configured message. */
    record Reject(String message) implements PolicyAction {
    }

    PolicyAction DUNNO = new Dunno();

    Pattern SMTP_CODE = Pattern.compile("^[45]\\d\\d(\\s.*)?$");

    /**
     * The response line and the empty line that ends it. A message that starts with an SMTP reply
     * code is itself the action ({@code action=550 ...}); other text goes behind {@code REJECT}.
     */
    default String wireText() {
        return switch (this) {
            case Dunno d -> "action=DUNNO\n\n";
            case Reject r -> SMTP_CODE.matcher(r.message()).matches()
                    ? "action=" + r.message() + "\n\n"
                    : "action=REJECT " + r.message() + "\n\n";
        };
    }
}
