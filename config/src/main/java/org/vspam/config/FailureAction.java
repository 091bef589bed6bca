package org.vspam.config;

/** {@code failure_action}: the answer when something could not be checked and nothing was found. */
public enum FailureAction {
    /** Fail open: the mail goes on unchecked (the default; a stopped agent never stops mail). */
    DUNNO,
    /** Delay the mail with {@code defer_message} until the agent can check it: strictness over availability. */
    DEFER
}
