package org.vspam.agent.shared;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.SslOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.metrics.CommandLatencyRecorder;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.EventLoopGroupProvider;
import java.time.Duration;
import java.util.Optional;
import javax.net.ssl.TrustManagerFactory;

/**
 * The Redis client for a {@code redis_url}: one server (with or without Sentinel) or a cluster. Kept
 * apart from {@link SharedCache}, which only holds what this returns: choosing between the two kinds
 * makes the JVM load both clients' classes to check the choice, and an agent's AOT cache records every
 * class loaded while its classes are checked, so every agent, with Redis or without, loaded them.
 */
final class RedisClients {
    private RedisClients() {
    }

    /**
     * The client's resources: the connection runs on the given loops (the policy server's), names resolve through
     * {@code names}, and Lettuce's own per-command latency histograms are off (the agent measures the shared tier itself).
     * Here rather than in {@link SharedCache}, whose checking would otherwise load Netty's resolver classes in every agent.
     */
    static ClientResources resources(EventLoopGroupProvider eventLoops, JvmNameResolution names) {
        return DefaultClientResources.builder()
                .eventLoopGroupProvider(eventLoops)
                .computationThreadPoolSize(1)
                .commandLatencyRecorder(CommandLatencyRecorder.disabled())
                .addressResolverGroup(names)
                .build();
    }

    static AbstractRedisClient create(RedisUrls.Target target, ClientResources resources, Optional<TrustManagerFactory> trust,
                                      Duration commandTimeout) {
        return switch (target) {
            case RedisUrls.Target.Single single -> {
                RedisClient standalone = RedisClient.create(resources);
                standalone.setOptions(common(ClientOptions.builder(), trust, commandTimeout).build());
                yield standalone;
            }
            case RedisUrls.Target.Cluster cluster -> {
                RedisClusterClient clustered = RedisClusterClient.create(resources, cluster.seeds());
                // The slot map follows failovers and resharding: refreshed when a node redirects
                // (MOVED, ASK) or keeps failing to reconnect, at most every 5 s that way (Lettuce's
                // default, 30 s, kept a failed master's slots unreachable for 25 s after its replica
                // took over), and every 30 s regardless.
                clustered.setOptions(common(ClusterClientOptions.builder(), trust, commandTimeout)
                        .topologyRefreshOptions(ClusterTopologyRefreshOptions.builder()
                                .enablePeriodicRefresh(Duration.ofSeconds(30))
                                .enableAllAdaptiveRefreshTriggers()
                                .adaptiveRefreshTriggersTimeout(Duration.ofSeconds(5))
                                .build())
                        .build());
                yield clustered;
            }
        };
    }

    /** The settings both kinds of client share: TLS authorities, reconnecting, failing fast while disconnected, timeouts. */
    private static <B extends ClientOptions.Builder> B common(B options, Optional<TrustManagerFactory> trust, Duration commandTimeout) {
        trust.ifPresent(authorities -> options.sslOptions(SslOptions.builder().jdkSslProvider().trustManager(authorities).build()));
        options.autoReconnect(true);
        options.disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS);
        options.timeoutOptions(TimeoutOptions.enabled(commandTimeout));
        options.socketOptions(SocketOptions.builder().connectTimeout(Duration.ofSeconds(2)).keepAlive(true).build());
        return options;
    }
}
