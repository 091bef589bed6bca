package org.vspam.config;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The agent's configuration, immutable, as read from agent.yml and {@code VSPAM_*} variables.
 *
 * @param apiUrl           vspam.org API base URL without trailing slash; empty when the API is disabled
 * @param apiCa            the only authorities trusted for the API's certificate; empty = the JVM's trust store
 * @param apiProxy         the HTTP proxy the API (lookups and reports) is reached through; empty = direct
 * @param socketMode       file mode of a unix policy socket, e.g. {@code 0660}
 * @param metricsListen    a listener of their own for {@code /health} and {@code /metrics}; empty = they are on {@code http_listen}
 * @param httpNewLookupsPerSecond each HTTP client's lookups that ask the API (not in the cache), per second; 0 = unbounded
 * @param cachePath        where the local cache survives restarts; empty = memory only
 * @param dnsblResolvers   DNS servers for the DNSBL; empty = the system's resolvers
 * @param logFormat        {@code text} lines for people and journald, or {@code json} lines for log shippers
 * @param decisionTimeout  deadline of one decision, after which the answer is allow (fail-open)
 * @param shutdownTimeout  how long a stop waits for the answers to requests already received
 * @param idleTimeout      a policy connection that completes no request for this long is closed
 * @param redisUrl         the shared cache ({@code redis://}, {@code rediss://}, {@code redis-sentinel://}); empty = local only
 * @param redisKeyPrefix   first part of every key the agent writes to Redis
 * @param redisCa          the only authorities trusted for a {@code rediss://} server; empty = the JVM's trust store
 * @param milter           the milter listener and what it scans of each message
 * @param allowList        clients and senders never looked up ({@code allow_clients}, {@code allow_senders})
 * @param allowFile        a file of more such entries, re-read when it changes
 * @param skipAuthenticated a request with a {@code sasl_username} (the server's own users) is not looked up
 * @param written          the text of every setting as read, or its default: what a reload compares (never printed)
 */
public record AgentConfig(
        Optional<URI> apiUrl,
        ApiKey apiKey,
        Optional<CaBundle> apiCa,
        Optional<ApiProxy> apiProxy,
        ListenAddress listen,
        int socketMode,
        boolean httpEnabled,
        HostPort httpListen,
        Optional<HostPort> metricsListen,
        int httpNewLookupsPerSecond,
        Duration cacheTtl,
        Optional<Path> cachePath,
        boolean dnsblEnabled,
        String dnsblZone,
        List<HostPort> dnsblResolvers,
        String rejectMessage,
        boolean reportingEnabled,
        int queueSize,
        LogLevel logLevel,
        LogFormat logFormat,
        Duration decisionTimeout,
        Duration shutdownTimeout,
        Duration idleTimeout,
        Optional<RedisUrl> redisUrl,
        String redisKeyPrefix,
        Optional<CaBundle> redisCa,
        MilterSettings milter,
        AllowList allowList,
        Optional<Path> allowFile,
        boolean skipAuthenticated,
        Mode mode,
        Actions actions,
        String deferMessage,
        String delistUrl,
        String headerName,
        FailureAction failureAction,
        Map<Setting, String> written) {

    public AgentConfig {
        dnsblResolvers = List.copyOf(dnsblResolvers);
        written = Map.copyOf(written);
    }

    /** {@code reject_message}, checked when it was read. */
    public ReplyText rejectReply() {
        return ReplyText.parse(rejectMessage, '5');
    }

    /** {@code defer_message}, checked when it was read. */
    public ReplyText deferReply() {
        return ReplyText.parse(deferMessage, '4');
    }

    /** The settings whose text differs in {@code other}: what a reload changes. */
    public List<Setting> changedIn(AgentConfig other) {
        return Arrays.stream(Setting.values())
                .filter(setting -> !Objects.equals(written.get(setting), other.written.get(setting)))
                .toList();
    }

    /**
     * A digest of the settings a reload applies (the controls and {@code log_level}) as written: which
     * configuration a running agent is in force with. The agent shows it ({@code /health}, the metric
     * {@code vspam_config_info}) and the operator computes it from the ConfigMap it writes, the same way.
     */
    public String liveHash() {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            for (Setting setting : Setting.values()) {
                if (setting.live()) {
                    digest.update((setting.key() + "=" + written.get(setting) + "\n").getBytes(StandardCharsets.UTF_8));
                }
            }
            return HexFormat.of().formatHex(digest.digest()).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    /** Reports go out only with a key: the report endpoint is authenticated. */
    public boolean reportingActive() {
        return reportingEnabled && apiKey.present() && apiUrl.isPresent();
    }
}
