package org.vspam.config;

import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Every key of agent.yml, with its default, named exactly once. Existing installations depend on
 * these snake_case names; environment variables override them as {@code VSPAM_} + the key in upper case.
 */
public enum Setting {
    API_URL("api_url", "https://api.vspam.org"),
    API_KEY("api_key", ""),
    API_CA_FILE("api_ca_file", ""),
    API_PROXY("api_proxy", ""),
    LISTEN("listen", "tcp://127.0.0.1:10045"),
    SOCKET_MODE("socket_mode", "0660"),
    HTTP_ENABLED("http_enabled", "false"),
    HTTP_LISTEN("http_listen", "127.0.0.1:10046"),
    METRICS_LISTEN("metrics_listen", ""),
    HTTP_NEW_LOOKUPS_PER_SECOND("http_new_lookups_per_second", "100"),
    CACHE_TTL("cache_ttl", "10m"),
    CACHE_PATH("cache_path", "/var/lib/vspam/cache.db"),
    DNSBL_ENABLED("dnsbl_enabled", "true"),
    DNSBL_ZONE("dnsbl_zone", "dnsbl.vspam.org"),
    DNSBL_RESOLVERS("dnsbl_resolvers", ""),
    REJECT_MESSAGE("reject_message", "550 Message rejected: sender listed in vspam.org (phishing)", true),
    REPORTING_ENABLED("reporting_enabled", "true"),
    QUEUE_SIZE("queue_size", "1000"),
    LOG_LEVEL("log_level", "info", true),
    LOG_FORMAT("log_format", "text"),
    DECISION_TIMEOUT("decision_timeout", "2s"),
    SHUTDOWN_TIMEOUT("shutdown_timeout", "5s"),
    IDLE_TIMEOUT("idle_timeout", "5m30s"),
    REDIS_URL("redis_url", ""),
    REDIS_KEY_PREFIX("redis_key_prefix", "vspam"),
    REDIS_CA_FILE("redis_ca_file", ""),
    MILTER_LISTEN("milter_listen", ""),
    MILTER_SOCKET_MODE("milter_socket_mode", "0660"),
    MILTER_MAX_URLS("milter_max_urls", "20"),
    MILTER_MAX_BODY("milter_max_body", "1MiB"),
    // The controls: what a finding does to the mail. They, and log_level, change on a reload (SIGHUP).
    ALLOW_CLIENTS("allow_clients", "", true),
    ALLOW_SENDERS("allow_senders", "", true),
    // RFC 2142: the abuse desk and the postmaster receive the phishing that is forwarded to them.
    ALLOW_RECIPIENTS("allow_recipients", "abuse@, postmaster@", true),
    ALLOW_FILE("allow_file", "", true),
    SKIP_AUTHENTICATED("skip_authenticated", "true", true),
    MODE("mode", "enforce", true),
    ACTIONS("actions", "", true),
    DEFER_MESSAGE("defer_message", "451 4.7.1 Message deferred: sender listed in vspam.org ({category}); try again later", true),
    DELIST_URL("delist_url", "https://vspam.org/delist", true),
    HEADER_NAME("header_name", "X-Vspam", true),
    FAILURE_ACTION("failure_action", "dunno", true);

    private static final Map<String, Setting> BY_KEY =
            Arrays.stream(values()).collect(Collectors.toUnmodifiableMap(Setting::key, Function.identity()));

    private final String key;
    private final String defaultValue;
    private final boolean live;

    Setting(String key, String defaultValue) {
        this(key, defaultValue, false);
    }

    Setting(String key, String defaultValue, boolean live) {
        this.key = key;
        this.defaultValue = defaultValue;
        this.live = live;
    }

    /** True when a reload applies a new value to the running agent; other keys need a restart. */
    public boolean live() {
        return live;
    }

    /** The snake_case key as written in agent.yml. */
    public String key() {
        return key;
    }

    /** The environment variable that overrides this key. */
    public String environmentVariable() {
        return "VSPAM_" + key.toUpperCase(Locale.ROOT);
    }

    public String defaultValue() {
        return defaultValue;
    }

    /** Values of secret settings are never repeated in messages. */
    public boolean secret() {
        return this == API_KEY || this == REDIS_URL || this == API_PROXY; // URLs may carry a password
    }

    public static Optional<Setting> byKey(String key) {
        return Optional.ofNullable(BY_KEY.get(key));
    }
}
