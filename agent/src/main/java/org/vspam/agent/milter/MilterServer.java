package org.vspam.agent.milter;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vspam.agent.policy.PolicyEventLoops;
import org.vspam.agent.policy.SocketListener;
import org.vspam.config.GoDuration;
import org.vspam.config.ListenAddress;

/**
 * The milter listener, on TCP or a unix socket, on the policy server's event loops. A packet that is
 * not the milter protocol closes that one connection and no other. A stop ({@link #drain}) lets the
 * messages already ended get their answers; the MTA applies its {@code milter_default_action}
 * ({@code accept}, as the README sets it) to those that come after.
 */
public final class MilterServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MilterServer.class);
    private static final MilterReply.Encoder ENCODER = new MilterReply.Encoder();

    private final ListenAddress listen;
    private final int socketMode;
    private final MilterService service;
    private final PolicyEventLoops loops;
    private final ChannelGroup connections = new DefaultChannelGroup("milter connections", GlobalEventExecutor.INSTANCE);
    private Channel channel;

    public MilterServer(ListenAddress listen, int socketMode, MilterService service, PolicyEventLoops loops) {
        this.listen = listen;
        this.socketMode = socketMode;
        this.service = service;
        this.loops = loops;
    }

    public synchronized void start() throws IOException {
        ServerBootstrap bootstrap = new ServerBootstrap().childHandler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                connections.add(ch);
                ch.pipeline().addLast(new MilterDecoder(), ENCODER, new MilterHandler(service));
            }
        });
        channel = SocketListener.bind(bootstrap, listen, socketMode, loops, "milter");
        LOG.info("milter listening on {}", boundAddress());
    }

    public String boundAddress() {
        return SocketListener.boundAddress(listen, channel);
    }

    /** The TCP port bound, or -1 on a unix socket. */
    public int port() {
        return channel.localAddress() instanceof InetSocketAddress inet ? inet.getPort() : -1;
    }

    public int openConnections() {
        return connections.size();
    }

    @Override
    public void close() {
        drain(Duration.ZERO);
    }

    /**
     * Stops accepting; each connection is closed at its next moment between messages, so a message
     * whose end has been received is still answered. After {@code within} the rest are closed.
     */
    public synchronized void drain(Duration within) {
        if (channel != null) {
            channel.close().awaitUninterruptibly();
            channel = null;
            SocketListener.remove(listen, "milter");
        }
        if (!SocketListener.drain(connections, MilterHandler.DRAIN, within)) {
            LOG.warn("{} milter connections still had messages under way after shutdown_timeout {}; closing them (the MTA "
                    + "applies its milter_default_action)", connections.size(), GoDuration.format(within));
        }
        connections.close().awaitUninterruptibly();
    }
}
