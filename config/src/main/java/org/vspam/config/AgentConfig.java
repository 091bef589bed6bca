package org.vspam.config;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The agent's configuration, immutable, as read from agent.yml and {@code VSPAM_*} variables.
 *
 * @param apiUrl           vspam.org API base URL without trailing slash; empty when the API is disabled
 * @param apiCa            the only authorities trusted for the API's certificate; empty = the JVM's trust store
 * @param apiProxy         the HTTP proxy the API (lookups and reports) is reached through; empty = direct
 * @param socketMode       file mode of a unix policy socket, e.g. {@code 0660}
 * @param cachePath        where the local cache survives restarts; empty = memory only
 * @param dnsblResolvers   DNS servers for the DNSBL; empty = the system's resolvers
 * @param logFormat        {@code text} lines for people and journald, or {@code json} lines for log shippers
 * @param decisionTimeout  deadline of one decision, after which the answer is allow (fail-open)
 * @param shutdownTimeout  how long a stop waits for the answers to requests already received
 * @param idleTimeout      a policy connection that completes no request for this long is closed
 * @param redisUrl         the shared cache ({@code redis://}, {@code rediss://}, {@code redis-sentinel://}); empty = local only
 * @param redisKeyPrefix   first part of every key the agent writes to Redis
 * @param redisCa          the only authorities trusted for a {@code rediss://} server; empty = the JVM's trust store
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
        Optional<CaBundle> redisCa) {

    public AgentConfig {
        dnsblResolvers = List.copyOf(dnsblResolvers);
    }

    /** Reports go out only with a key: the report endpoint is authenticated. */
    public boolean reportingActive() {
        return reportingEnabled && apiKey.present() && apiUrl.isPresent();
    }
}
