package org.vspam.agent.lookup;

import java.util.concurrent.CompletionException;

/** Helpers for the failures asynchronous clients hand to sources. */
public final class Failures {
    private Failures() {
    }

    /** The failure itself, not the {@link CompletionException} a future wrapped it in. */
    public static Throwable cause(Throwable failure) {
        return failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    }

    /** The innermost message, for a log line or a lookup's detail. */
    public static String rootMessage(Throwable failure) {
        Throwable cause = failure;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        return cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
    }
}
