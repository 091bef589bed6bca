package org.vspam.agent.http;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.codec.http.HttpContentDecompressor;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.vspam.agent.observe.Pace;
import org.vspam.agent.policy.PolicyEventLoops;
import org.vspam.agent.policy.SocketListener;
import org.vspam.config.HostPort;
import org.vspam.config.ListenAddress;

/**
 * The HTTP listener ({@code http_listen}): {@code /check}, {@code /health} and {@code /metrics}, on the
 * policy server's event loops. Netty's HTTP/1.1 codec and nothing more: the framework's HTTP server
 * (routes, filters, reactive bodies) loaded some two thousand classes for three fixed paths, which
 * every sidecar paid for in memory whether or not anything but the kubelet and Prometheus called it.
 */
public final class HttpServer implements AutoCloseable {
    /** The names of the two listeners, as beans and in messages: {@code http_listen} and {@code metrics_listen}. */
    public static final String HTTP = "http";
    public static final String METRICS = "metrics";
    /** The largest request body read; a larger one is answered {@code 413} (a {@code /check} is a few hundred bytes). */
    static final int MAX_BODY_BYTES = 64 * 1024;
    private static final int MAX_INITIAL_LINE_BYTES = 8 * 1024;
    private static final int MAX_HEADER_BYTES = 16 * 1024;

    private final HostPort listen;
    private final Duration idleTimeout;
    private final HttpEndpoints endpoints;
    private final PolicyEventLoops loops;
    private final ChannelGroup connections = new DefaultChannelGroup("http connections", GlobalEventExecutor.INSTANCE);
    private final Pace oversizeTold = new Pace(Duration.ofMinutes(1));
    private Channel channel;

    HttpServer(HostPort listen, Duration idleTimeout, HttpEndpoints endpoints, PolicyEventLoops loops) {
        this.listen = listen;
        this.idleTimeout = idleTimeout;
        this.endpoints = endpoints;
        this.loops = loops;
    }

    /** Binds the listener; throws with a message an operator can act on when it cannot. */
    public synchronized void start() throws IOException {
        // Exim's ${readsocket} half-closes its side after the request; its answer is still written.
        ServerBootstrap bootstrap = new ServerBootstrap().childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        connections.add(ch);
                        ch.pipeline().addLast(
                                new IdleStateHandler(0, 0, idleTimeout.toMillis(), TimeUnit.MILLISECONDS),
                                new HttpServerCodec(MAX_INITIAL_LINE_BYTES, MAX_HEADER_BYTES, MAX_BODY_BYTES),
                                new HttpServerKeepAliveHandler(),
                                new HttpContentDecompressor(),
                                new HttpObjectAggregator(MAX_BODY_BYTES),
                                new HttpApiHandler(endpoints, oversizeTold));
                    }
                });
        channel = SocketListener.bind(bootstrap, new ListenAddress.Tcp(listen), 0, loops, endpoints.check().isPresent() ? HTTP : METRICS);
    }

    /** The port actually bound (the real one when 0 was asked for). */
    public int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    /** Stops accepting and closes the open connections: what is answered by then is answered. */
    @Override
    public synchronized void close() {
        if (channel != null) {
            channel.close().awaitUninterruptibly();
            channel = null;
        }
        connections.close().awaitUninterruptibly();
    }
}
