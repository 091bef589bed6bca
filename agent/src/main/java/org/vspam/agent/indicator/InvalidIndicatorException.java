package org.vspam.agent.indicator;

import java.io.Serial;

/** A value that cannot be a domain or IP; the message says why in a few words. */
public final class InvalidIndicatorException extends IllegalArgumentException {
    @Serial
    private static final long serialVersionUID = 1L;

    public InvalidIndicatorException(String message) {
        super(message);
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
        return this; // expected input errors: no stack trace to pay for
    }
}
