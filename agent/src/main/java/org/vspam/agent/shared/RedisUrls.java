package org.vspam.agent.shared;

import io.lettuce.core.RedisURI;
import java.util.stream.Collectors;

/** Parsing {@code redis_url} and printing it without its password. */
public final class RedisUrls {
    private RedisUrls() {
    }

    /**
     * Parses {@code redis://}, {@code rediss://} (TLS) and {@code redis-sentinel://} URLs, with
     * password and database in the URL. The message of the exception never contains the URL,
     * which may hold a password.
     */
    public static RedisURI parse(String url) {
        try {
            return RedisURI.create(url);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("is not a Redis URL (expected redis://[:password@]host[:port][/database], "
                    + "rediss://… for TLS or redis-sentinel://host[:port][,host2[:port2]]/database#master)");
        }
    }

    /** The URL as it may appear in a log line: scheme, hosts and database, never the password. */
    public static String redacted(RedisURI uri) {
        if (!uri.getSentinels().isEmpty()) {
            return "redis-sentinel://" + uri.getSentinels().stream().map(s -> s.getHost() + ":" + s.getPort())
                    .collect(Collectors.joining(",")) + "/" + uri.getDatabase() + "#" + uri.getSentinelMasterId();
        }
        return (uri.isSsl() ? "rediss://" : "redis://") + uri.getHost() + ":" + uri.getPort() + "/" + uri.getDatabase();
    }
}
