package org.vspam.agent.shared;

import io.lettuce.core.RedisURI;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/** Parsing {@code redis_url} into where the shared cache connects, and printing it without its password. */
public final class RedisUrls {
    private RedisUrls() {
    }

    /** Where the shared cache's Redis is. */
    public sealed interface Target {
        /** One server, by its address or named by Sentinel. */
        record Single(RedisURI uri) implements Target {
        }

        /** A Redis Cluster, found from its seed nodes (each carrying the password and TLS). */
        record Cluster(List<RedisURI> seeds) implements Target {
        }
    }

    /** The client's view of a {@code redis_url} that the configuration loader has already checked. */
    public static Target parse(String url) {
        String scheme = url.substring(0, url.indexOf("://")).toLowerCase(Locale.ROOT);
        if (!scheme.endsWith("-cluster")) {
            return new Target.Single(RedisURI.create(url));
        }
        String single = scheme.equals("rediss-cluster") ? "rediss://" : "redis://";
        String rest = url.substring(url.indexOf("://") + 3);
        int end = rest.indexOf('/');
        String authority = end < 0 ? rest : rest.substring(0, end);
        int at = authority.lastIndexOf('@');
        String credentials = at < 0 ? "" : authority.substring(0, at + 1);
        return new Target.Cluster(Arrays.stream(authority.substring(at + 1).split(","))
                .map(host -> RedisURI.create(single + credentials + host.strip())).toList());
    }

    /** The URL as it may appear in a log line: scheme, hosts and database, never the password. */
    public static String redacted(Target target) {
        return switch (target) {
            case Target.Single single -> redacted(single.uri());
            case Target.Cluster cluster -> (cluster.seeds().getFirst().isSsl() ? "rediss-cluster://" : "redis-cluster://")
                    + cluster.seeds().stream().map(seed -> seed.getHost() + ":" + seed.getPort()).collect(Collectors.joining(","));
        };
    }

    private static String redacted(RedisURI uri) {
        if (!uri.getSentinels().isEmpty()) {
            return "redis-sentinel://" + uri.getSentinels().stream().map(s -> s.getHost() + ":" + s.getPort())
                    .collect(Collectors.joining(",")) + "/" + uri.getDatabase() + "#" + uri.getSentinelMasterId();
        }
        return (uri.isSsl() ? "rediss://" : "redis://") + uri.getHost() + ":" + uri.getPort() + "/" + uri.getDatabase();
    }
}
