package org.vspam.agent.shared;

import io.netty.resolver.AddressResolver;
import io.netty.resolver.AddressResolverGroup;
import io.netty.resolver.InetNameResolver;
import io.netty.util.concurrent.DefaultEventExecutor;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Promise;
import io.netty.util.internal.SocketUtils;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Redis's names resolved as every other name the agent uses: by the JVM's resolver (the system's: {@code /etc/hosts},
 * the servers and search list of {@code /etc/resolv.conf}, the JVM's cache), on a thread of its own so that a slow DNS
 * never holds a policy loop. Lettuce would otherwise use Netty's own DNS client, which reads {@code /etc/resolv.conf}
 * itself and, in a container without one, asks Google's public servers instead, servers the operator never chose.
 * (Lettuce still builds that client when its classes load, so its warning about that fallback is quieted, see
 * {@code LogDefaults}; it never sends a query.)
 */
final class JvmNameResolution extends AddressResolverGroup<InetSocketAddress> {
    private final EventExecutor resolving = new DefaultEventExecutor(new DefaultThreadFactory("vspam-redis-resolve", true));

    @Override
    protected AddressResolver<InetSocketAddress> newResolver(EventExecutor loop) {
        return new OffTheLoop(resolving).asAddressResolver();
    }

    @Override
    public void close() {
        super.close();
        resolving.shutdownGracefully(0, 2, TimeUnit.SECONDS);
    }

    /** The JVM's lookup (what Netty's default resolver does on the calling thread, the event loop) on the resolving thread. */
    private static final class OffTheLoop extends InetNameResolver {
        OffTheLoop(EventExecutor resolving) {
            super(resolving);
        }

        @Override
        protected void doResolve(String host, Promise<InetAddress> promise) {
            executor().execute(() -> {
                try {
                    promise.trySuccess(SocketUtils.addressByName(host));
                } catch (UnknownHostException e) {
                    promise.tryFailure(e);
                }
            });
        }

        @Override
        protected void doResolveAll(String host, Promise<List<InetAddress>> promise) {
            executor().execute(() -> {
                try {
                    promise.trySuccess(Arrays.asList(SocketUtils.allAddressesByName(host)));
                } catch (UnknownHostException e) {
                    promise.tryFailure(e);
                }
            });
        }
    }
}
