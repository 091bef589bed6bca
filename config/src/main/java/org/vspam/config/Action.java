package org.vspam.config;

import java.util.Arrays;
import java.util.Locale;

/** What a listing of one family does to the mail ({@code actions} in agent.yml). */
public enum Action {
    /** Refused for good: {@code reject_message}, a 5xx. */
    REJECT,
    /** Refused for now: {@code defer_message}, a 4xx, so a legitimate sender retries. */
    DEFER,
    /** Accepted with a header saying what was found, for the mailbox's filter to act on. */
    PREPEND,
    /** Accepted as if nothing was found (still counted and logged). */
    ALLOW;

    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Every word, as agent.yml, the CRD schema and messages write them. */
    public static final String WORDS = String.join(", ", Arrays.stream(values()).map(Action::word).toList());

    static Action byWord(String word) {
        for (Action action : values()) {
            if (action.word().equals(word.strip().toLowerCase(Locale.ROOT))) {
                return action;
            }
        }
        throw new IllegalArgumentException("has \"" + word.strip() + "\", which is not an action (expected " + WORDS + ")");
    }
}
