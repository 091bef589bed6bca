package org.vspam.agent.policy;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vspam.config.GoDuration;

/**
 * Hands each request to the {@link PolicyService} and writes the answers back in request order.
 * An answer that is already known (a cached verdict) is written at once, on the event loop; others
 * are written when their lookups finish, without the event loop ever waiting for them.
 */
final class PolicyHandler extends SimpleChannelInboundHandler<PolicyRequest> {
    private static final Logger LOG = LoggerFactory.getLogger(PolicyHandler.class);
    /** A client that sends this many requests without reading answers is paused until it reads. */
    private static final int MAX_PENDING = 64;

    /**
     * The agent is stopping: go on reading and answering, and close at the first quiet moment (no
     * request for {@link #QUIET}, no answer pending, no request half read), so that only a request
     * sent in that very instant can race the close. A client that never pauses is answered until
     * {@link #GIVE_UP}.
     */
    static final Object DRAIN = new Object();
    static final Duration QUIET = Duration.ofMillis(100);
    /** The drain took too long: what is still undecided is answered DUNNO now. */
    static final Object GIVE_UP = new Object();

    private final PolicyService service;
    private final long idleNanos;
    private final ArrayDeque<CompletableFuture<PolicyAction>> pending = new ArrayDeque<>();
    private boolean inputShutdown;
    /** Requests received so far; the idle check compares it with what it saw, so a request costs no clock read. */
    private long requests;
    /** The next idle check, cancelled when the connection closes: a pending check holds the connection and all it holds. */
    private ScheduledFuture<?> idleCheck;

    PolicyHandler(PolicyService service, Duration idleTimeout) {
        super(PolicyRequest.class);
        this.service = service;
        this.idleNanos = idleTimeout.toNanos();
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        checkIdle(ctx, requests, System.nanoTime());
        ctx.fireChannelActive();
    }

    /**
     * Postfix closes a policy connection idle for {@code smtpd_policy_service_max_idle} (300 s); one
     * that has completed no request for {@code idle_timeout} (silent, or trickling a byte at a time)
     * is a client gone astray, and closing it frees what it holds. The check runs every tenth of the
     * timeout: {@code sinceNanos} is when it last found {@code seen} requests, so a connection is
     * closed between one and 1.1 timeouts after its last request.
     */
    private void checkIdle(ChannelHandlerContext ctx, long seen, long sinceNanos) {
        idleCheck = ctx.executor().schedule(() -> {
            if (!ctx.channel().isActive()) {
                return;
            }
            long now = System.nanoTime();
            if (requests != seen || !pending.isEmpty()) {
                checkIdle(ctx, requests, now);
            } else if (now - sinceNanos >= idleNanos) {
                LOG.debug("closing policy connection from {}: no complete request for {}", peer(ctx), GoDuration.format(Duration.ofNanos(idleNanos)));
                ctx.close();
            } else {
                checkIdle(ctx, seen, sinceNanos);
            }
        }, Math.max(idleNanos / 10, 1), TimeUnit.NANOSECONDS);
    }

    /**
     * A closed connection is forgotten at once: its idle check is taken off the event loop's schedule, where
     * it would otherwise keep the channel, its pipeline and buffers reachable for a tenth of
     * {@code idle_timeout} (33 s by default), and one-shot clients' connections would pile up by the thousand.
     */
    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (idleCheck != null) {
            idleCheck.cancel(false);
        }
        ctx.fireChannelInactive();
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, PolicyRequest request) {
        requests++;
        CompletableFuture<PolicyAction> answer = service.answer(request, ctx.executor());
        if (pending.isEmpty() && answer.isDone()) {
            ctx.writeAndFlush(answer.join(), ctx.voidPromise());
            return;
        }
        pending.add(answer);
        if (pending.size() >= MAX_PENDING) {
            ctx.channel().config().setAutoRead(false);
        }
        answer.whenCompleteAsync((action, failure) -> writeReady(ctx), ctx.executor());
    }

    private void writeReady(ChannelHandlerContext ctx) {
        while (!pending.isEmpty() && pending.peek().isDone()) {
            PolicyAction action = pending.poll().getNow(PolicyAction.DUNNO);
            ctx.writeAndFlush(action, ctx.voidPromise());
        }
        if (pending.size() < MAX_PENDING && !ctx.channel().config().isAutoRead() && !inputShutdown) {
            ctx.channel().config().setAutoRead(true);
        }
        closeIfFinished(ctx);
    }

    /** The client has sent all it will send, or the agent is stopping: answer what is pending, then close. */
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event == GIVE_UP) {
            pending.forEach(answer -> answer.complete(PolicyAction.DUNNO)); // fail-open, as at any deadline
            writeReady(ctx);
            close(ctx);
            return;
        }
        if (event == DRAIN) {
            closeWhenQuiet(ctx, requests);
            return;
        }
        if (event instanceof ChannelInputShutdownEvent) {
            inputShutdown = true;
            closeIfFinished(ctx);
        }
        ctx.fireUserEventTriggered(event);
    }

    private void closeWhenQuiet(ChannelHandlerContext ctx, long seen) {
        ctx.executor().schedule(() -> {
            if (!ctx.channel().isActive()) {
                return;
            }
            PolicyRequestDecoder decoder = ctx.pipeline().get(PolicyRequestDecoder.class);
            if (requests == seen && pending.isEmpty() && (decoder == null || !decoder.midRequest())) {
                close(ctx);
            } else {
                closeWhenQuiet(ctx, requests);
            }
        }, QUIET.toNanos(), TimeUnit.NANOSECONDS);
    }

    private void closeIfFinished(ChannelHandlerContext ctx) {
        if (inputShutdown && pending.isEmpty()) {
            close(ctx);
        }
    }

    private static void close(ChannelHandlerContext ctx) {
        ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE); // after the answers already written
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Throwable problem = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
        if (problem instanceof TooLongFrameException tooLong) {
            LOG.warn("closing policy connection from {}: {}", peer(ctx), tooLong.getMessage());
        } else if (problem instanceof IOException) {
            LOG.debug("policy connection from {} failed: {}", peer(ctx), problem.getMessage());
        } else {
            LOG.warn("closing policy connection from {} after an unexpected error", peer(ctx), problem);
        }
        ctx.close();
    }

    /** The peer for log lines; a unix-socket peer has no address worth printing. */
    private static String peer(ChannelHandlerContext ctx) {
        var address = ctx.channel().remoteAddress();
        String text = address == null ? "" : address.toString();
        return text.isEmpty() ? "the unix socket" : text;
    }
}
