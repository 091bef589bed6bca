package org.vspam.agent.policy;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.concurrent.TimeUnit;

/**
 * The threads that answer policy connections. A decision's own network I/O (the shared cache's
 * Redis connection) runs on them too: a cache miss then goes to Redis and its answer comes back to
 * the waiting connection without waking another thread, which is where the latency tail came from.
 */
public final class PolicyEventLoops implements AutoCloseable {
    private final ServerTransport transport = ServerTransport.best();
    private final EventLoopGroup group;

    public PolicyEventLoops(int threads) {
        this.group = new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory("vspam-policy", true), transport.ioHandlerFactory());
    }

    public EventLoopGroup group() {
        return group;
    }

    ServerTransport transport() {
        return transport;
    }

    /**
     * True when a client that names its transport by Netty's older group classes (Lettuce asks for
     * {@code EpollEventLoopGroup} or {@code NioEventLoopGroup}) can put its channels on these loops.
     */
    public boolean serves(Class<?> groupType) {
        return transport.groupType() == groupType;
    }

    @Override
    public void close() {
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
    }
}
