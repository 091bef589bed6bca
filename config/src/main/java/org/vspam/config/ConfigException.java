package org.vspam.config;

import java.io.Serial;

/** A configuration problem, described in one line that names the key and the offending value. */
public final class ConfigException extends Exception {
    @Serial
    private static final long serialVersionUID = 1L;

    public ConfigException(String message) {
        super(message, null, false, false);
    }
}
