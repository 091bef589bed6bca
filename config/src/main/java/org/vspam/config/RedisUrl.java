package org.vspam.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Set;

/**
 * The shared cache's address as written in {@code redis_url}. Only the form is checked here; the
 * agent's Redis client reads the details. {@code toString} hides the password.
 */
public record RedisUrl(String value) {
    private static final Set<String> SCHEMES = Set.of("redis", "rediss", "redis-sentinel", "redis-cluster", "rediss-cluster");

    static RedisUrl parse(String text) {
        String value = text.strip();
        if (!wellFormed(value)) {
            throw new IllegalArgumentException("is not a Redis URL (expected redis://[:password@]host[:port][/database], "
                    + "rediss://… for TLS, redis-sentinel://host[:port][,host2[:port2]]/database#master, "
                    + "or redis-cluster://[:password@]host[:port][,host2[:port2]] (rediss-cluster://… for TLS), whose database is 0)");
        }
        return new RedisUrl(value);
    }

    /** A known scheme, hosts with valid ports, and a numeric database when one is given. */
    private static boolean wellFormed(String value) {
        try {
            URI uri = new URI(value);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            String authority = uri.getRawAuthority();
            if (!SCHEMES.contains(scheme) || authority == null) {
                return false;
            }
            String hosts = authority.substring(authority.lastIndexOf('@') + 1);
            for (String host : hosts.split(",")) {
                HostPort.parse(host, 6379);
            }
            String database = uri.getPath() == null ? "" : uri.getPath().replaceFirst("^/", "");
            if (cluster(scheme)) {
                return database.isEmpty() || database.equals("0"); // a cluster has only database 0
            }
            return database.isEmpty() || database.matches("\\d{1,3}");
        } catch (URISyntaxException | IllegalArgumentException e) {
            return false;
        }
    }

    /** {@code redis-cluster://} or {@code rediss-cluster://}: seeds of a Redis Cluster. */
    public boolean cluster() {
        return cluster(value.substring(0, Math.max(0, value.indexOf(':'))).toLowerCase(Locale.ROOT));
    }

    private static boolean cluster(String scheme) {
        return scheme.endsWith("-cluster");
    }

    @Override
    public String toString() {
        return "RedisUrl[" + value.replaceAll("//[^@/]*@", "//***@") + "]";
    }
}
