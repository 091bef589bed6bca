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
    /** {@code http_new_lookups_per_second}: 0 lifts the bound. */
    public static final int MAX_NEW_LOOKUPS_PER_SECOND = 1_000_000;

    /** {@code milter_max_urls}: link hosts looked up per message at most. */
    public static final int MIN_MILTER_URLS = 0;
    public static final int MAX_MILTER_URLS = 1000;
    /** {@code milter_max_body}: decoded text scanned per message at most, in bytes (64 MiB). */
    public static final long MAX_MILTER_BODY = 64L << 20;
    /** A size: a number of bytes, or one with a unit ({@code 512KiB}, {@code 1MiB}, {@code 2MB}). */
    public static final String SIZE = "^\\s*(\\d{1,12})\\s*([kKmMgG][iI]?[bB]?|[bB])?\\s*$";

    private Rules() {
    }
}
