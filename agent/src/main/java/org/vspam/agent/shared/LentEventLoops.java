package org.vspam.agent.shared;

import io.lettuce.core.resource.DefaultEventLoopGroupProvider;
import io.lettuce.core.resource.EventLoopGroupProvider;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.EventExecutorGroup;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ImmediateEventExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * Gives Lettuce event loops that someone else owns (the policy server's), so the Redis connection
 * lives on the thread that waits for its answers. Lettuce never shuts them down; for a transport
 * they do not serve it gets a one-thread group of its own, as it would without this.
 */
public final class LentEventLoops implements EventLoopGroupProvider {
    private final EventLoopGroup lent;
    private final Predicate<Class<?>> serves;
    private final DefaultEventLoopGroupProvider own = new DefaultEventLoopGroupProvider(1);

    /** {@code serves} says whether the lent loops fit the group class Lettuce asks for. */
    public LentEventLoops(EventLoopGroup lent, Predicate<Class<?>> serves) {
        this.lent = lent;
        this.serves = serves;
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T extends EventLoopGroup> T allocate(Class<T> type) {
        // Lettuce asks by Netty 4.1's class names but only needs an EventLoopGroup of that transport.
        return serves.test(type) ? (T) lent : own.allocate(type);
    }

    @Override
    public int threadPoolSize() {
        return 1;
    }

    @Override
    public Future<Boolean> release(EventExecutorGroup group, long quietPeriod, long timeout, TimeUnit unit) {
        if (group == lent) {
            awaitQueuedTasks(timeout, unit); // not ours to shut down
            return ImmediateEventExecutor.INSTANCE.newSucceededFuture(true);
        }
        return own.release(group, quietPeriod, timeout, unit);
    }

    /**
     * A connection Lettuce has just closed still has its last events (channel inactive) queued on the
     * loops, and they publish to Lettuce's event bus: they must run before Lettuce's own resources are
     * shut down, or each stop logs a rejected-execution error.
     */
    private void awaitQueuedTasks(long timeout, TimeUnit unit) {
        if (lent.isShuttingDown()) {
            return;
        }
        for (EventExecutor loop : lent) {
            if (!loop.inEventLoop()) {
                loop.submit(() -> { }).awaitUninterruptibly(timeout, unit);
            }
        }
    }

    @Override
    public Future<Boolean> shutdown(long quietPeriod, long timeout, TimeUnit unit) {
        return own.shutdown(quietPeriod, timeout, unit);
    }
}
