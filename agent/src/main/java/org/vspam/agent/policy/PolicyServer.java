package org.vspam.agent.policy;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vspam.config.GoDuration;
import org.vspam.config.ListenAddress;

/**
 * The policy delegation listener, on TCP or a unix socket. A line longer than
 * {@link PolicyRequestDecoder#MAX_LINE_BYTES} or a request larger than
 * {@link PolicyRequestDecoder#MAX_REQUEST_BYTES} closes that one connection and no other.
 */
public final class PolicyServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PolicyServer.class);

    private final ListenAddress listen;
    private final int socketMode;
    private final PolicyService service;
    private final PolicyEventLoops loops;
    /** The open policy connections, closed with the server; the event loops outlive it. */
    private final ChannelGroup connections = new DefaultChannelGroup("policy connections", GlobalEventExecutor.INSTANCE);
    private Channel channel;

    private final Duration idleTimeout;

    /** {@code idleTimeout}: a connection that completes no request for this long, with no answer pending, is closed. */
    public PolicyServer(ListenAddress listen, int socketMode, Duration idleTimeout, PolicyService service, PolicyEventLoops loops) {
        this.idleTimeout = idleTimeout;
        this.listen = listen;
        this.socketMode = socketMode;
        this.service = service;
        this.loops = loops;
    }

    /** Binds the listener; throws with a message an operator can act on when it cannot. */
    public synchronized void start() throws IOException {
        // A one-shot client may half-close right after its request (printf ... | nc -N); its answer
        // is still written, and PolicyHandler closes once nothing is pending.
        ServerBootstrap bootstrap = new ServerBootstrap().childHandler(new Initializer(service, connections, idleTimeout))
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
        channel = SocketListener.bind(bootstrap, listen, socketMode, loops, "policy");
        LOG.info("policy server listening on {}", boundAddress());
    }

    /** The address actually bound (the real port when 0 was asked for). */
    public String boundAddress() {
        return SocketListener.boundAddress(listen, channel);
    }

    /** The policy connections open now. */
    public int openConnections() {
        return connections.size();
    }

    public int port() {
        return channel.localAddress() instanceof InetSocketAddress inet ? inet.getPort() : -1;
    }

    @Override
    public void close() {
        drain(Duration.ZERO);
    }

    /**
     * Stops accepting and goes on answering on the open connections, closing each at its first quiet
     * moment (see {@link PolicyHandler#DRAIN}): a request sent right after an answer is still read and
     * answered. After {@code within}, what is still undecided is answered {@code DUNNO} and every
     * connection is closed. Postfix opens a new connection for its next request, to whatever listens then.
     */
    public synchronized void drain(Duration within) {
        if (channel != null) {
            channel.close().awaitUninterruptibly();
            channel = null;
        }
        if (!SocketListener.drain(connections, PolicyHandler.DRAIN, within)) {
            LOG.warn("{} policy connections still had undecided requests after shutdown_timeout {}; answering them DUNNO",
                    connections.size(), GoDuration.format(within));
            connections.forEach(connection -> connection.pipeline().fireUserEventTriggered(PolicyHandler.GIVE_UP));
            connections.newCloseFuture().awaitUninterruptibly(1_000);
        }
        connections.close().awaitUninterruptibly();
        SocketListener.remove(listen, "policy");
    }

    /** Per connection: flush batching, request decoder, answer encoder, handler. */
    private static final class Initializer extends ChannelInitializer<Channel> {
        private final PolicyService service;
        private final ChannelGroup connections;
        private final PolicyActionEncoder encoder = new PolicyActionEncoder();

        private final Duration idleTimeout;

        Initializer(PolicyService service, ChannelGroup connections, Duration idleTimeout) {
            this.idleTimeout = idleTimeout;
            this.service = service;
            this.connections = connections;
        }

        @Override
        protected void initChannel(Channel ch) {
            connections.add(ch);
            ch.pipeline().addLast(
                    new FlushConsolidationHandler(FlushConsolidationHandler.DEFAULT_EXPLICIT_FLUSH_AFTER_FLUSHES, true),
                    new PolicyRequestDecoder(),
                    encoder,
                    new PolicyHandler(service, idleTimeout));
        }
    }
}
