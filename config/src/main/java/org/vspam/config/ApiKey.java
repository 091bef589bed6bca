package org.vspam.config;

/**
 * The vspam.org API key. Its {@code toString} is redacted so that the key cannot reach a log line,
 * an error message or a metric by accident; only the API client reads {@link #reveal()}.
 */
public record ApiKey(String value) {
    public static final ApiKey NONE = new ApiKey("");

    public ApiKey {
        value = value == null ? "" : value.strip();
    }

    public boolean present() {
        return !value.isEmpty();
    }

    public String reveal() {
        return value;
    }

    @Override
    public String toString() {
        return present() ? "ApiKey[set]" : "ApiKey[none]";
    }
}
