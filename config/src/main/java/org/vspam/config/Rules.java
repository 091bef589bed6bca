package org.vspam.config;

/**
 * Rules a value must follow, as compile-time constants: the loader applies them, and the operator's
 * CRD schema states the same ones (annotations take only constants), so a rule changes in one place.
 */
public final class Rules {
    /** {@code dnsbl_zone}: DNS labels, one trailing dot allowed; the loader also refuses more than 200 characters. */
    public static final String ZONE = "^[A-Za-z0-9_]([A-Za-z0-9_-]{0,62})(\\.[A-Za-z0-9_]([A-Za-z0-9_-]{0,62}))*\\.?$";
    /** {@code redis_key_prefix}. */
    public static final String KEY_PREFIX = "^[A-Za-z0-9_.-]{1,64}$";
    /** {@code reject_message}, {@code defer_message}: the longest reply. */
    public static final int MAX_REPLY_LENGTH = 512;
    /** {@code queue_size}: reports waiting at most. */
    public static final int MIN_QUEUE_SIZE = 1;
    public static final int MAX_QUEUE_SIZE = 1_000_000;

    private Rules() {
    }
}
