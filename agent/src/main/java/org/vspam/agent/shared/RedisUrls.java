package org.vspam.agent.shared;

import io.lettuce.core.RedisURI;
import java.util.stream.Collectors;

/** Parsing {@code redis_url} and printing it without its password. */
public final class RedisUrls {
    private RedisUrls() {
    }

    /** The client's view of a {@code redis_url} that the configuration loader has already checked. */
    public static RedisURI parse(String url) {
        return RedisURI.create(url);
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
