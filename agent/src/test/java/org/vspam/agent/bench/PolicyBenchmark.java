package org.vspam.agent.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.LineBasedFrameDecoder;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.vspam.agent.Agent;
import org.vspam.agent.testing.AgentHarness;
import org.vspam.agent.testing.FakeVspamApi;
import org.vspam.agent.testing.PolicyClient;
import org.vspam.agent.testing.ThreatFixtures;
import org.vspam.config.GoDuration;

/**
 * Load benchmark for the policy server, shaped like Postfix's smtpd pool: N persistent connections,
 * each sending its next request as soon as the previous answer arrives (a closed loop). Prints
 * requests/s and latency percentiles measured at the client.
 *
 * <p>Without {@code bench.target} it starts an agent in this JVM against a local stand-in for the
 * vspam.org API, warms its cache, and measures cached verdicts. With {@code bench.target=HOST:PORT}
 * it measures an agent that is already running (the senders must then be cached there).
 *
 * <p>Settings (system properties): {@code bench.connections} (50), {@code bench.duration} (20s),
 * {@code bench.warmup} (5s), {@code bench.senders} (1000 distinct sender domains), {@code bench.target}.
 */
public final class PolicyBenchmark {
    private final int connections = Integer.getInteger("bench.connections", 50);
    private final Duration duration = GoDuration.parse(System.getProperty("bench.duration", "20s"));
    private final Duration warmup = GoDuration.parse(System.getProperty("bench.warmup", "5s"));
    private final int senders = Integer.getInteger("bench.senders", 1000);
    private final List<ByteBuf> requests = new ArrayList<>();

    public static void main(String[] args) throws Exception {
        new PolicyBenchmark().run();
        System.exit(0);
    }

    private void run() throws Exception {
        for (int i = 0; i < senders; i++) {
            String domain = i % 10 == 0 ? ThreatFixtures.PHISH : "sender" + i + ".example.org";
            byte[] bytes = PolicyClient.request("user" + i + "@" + domain, "192.0.2." + (i % 250 + 1)).getBytes(StandardCharsets.US_ASCII);
            requests.add(Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(bytes).asReadOnly()));
        }
        String target = System.getProperty("bench.target", "");
        if (!target.isEmpty()) {
            URI address = URI.create("tcp://" + target);
            measure(address.getHost(), address.getPort());
            return;
        }
        try (FakeVspamApi api = new FakeVspamApi();
             Agent agent = AgentHarness.start("api_url: " + api.baseUrl() + "\nlisten: tcp://127.0.0.1:0\ncache_path: \"\"\n"
                     + "dnsbl_enabled: false\nlog_level: warn\ncache_ttl: 1h\n")) {
            int port = agent.policyServer().port();
            warmCache(port);
            System.out.printf("agent in this JVM on port %d, %d verdicts cached (%d upstream lookups)%n", port, agent.cache().size(), api.lookups());
            measure("127.0.0.1", port);
        }
    }

    private void warmCache(int port) throws Exception {
        try (PolicyClient client = PolicyClient.tcp(port)) {
            for (ByteBuf request : requests) {
                client.send(request.toString(StandardCharsets.US_ASCII));
                client.readAnswer();
            }
        }
    }

    private void measure(String host, int port) throws Exception {
        boolean epoll = Epoll.isAvailable();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        try {
            List<Connection> pool = new ArrayList<>();
            Bootstrap bootstrap = new Bootstrap().group(group).channel(epoll ? EpollSocketChannel.class : NioSocketChannel.class)
                    .option(ChannelOption.TCP_NODELAY, true);
            for (int i = 0; i < connections; i++) {
                Connection connection = new Connection(i);
                bootstrap.handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new LineBasedFrameDecoder(4096), connection);
                    }
                });
                connection.channel = bootstrap.connect(host, port).sync().channel();
                pool.add(connection);
            }
            System.out.printf("%d connections, closed loop, warm-up %s, measuring %s%n", connections, GoDuration.format(warmup), GoDuration.format(duration));
            pool.forEach(c -> c.channel.eventLoop().execute(c::sendNext));
            TimeUnit.NANOSECONDS.sleep(warmup.toNanos());
            Histogram histogram = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
            group.submit(() -> pool.forEach(c -> c.recording = histogram)).sync();
            long started = System.nanoTime();
            TimeUnit.NANOSECONDS.sleep(duration.toNanos());
            group.submit(() -> pool.forEach(c -> c.recording = null)).sync();
            double seconds = (System.nanoTime() - started) / 1e9;
            report(histogram, seconds);
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    private static void report(Histogram histogram, double seconds) {
        System.out.printf("requests/s: %.0f (%d answers in %.1f s)%n", histogram.getTotalCount() / seconds, histogram.getTotalCount(), seconds);
        System.out.printf("latency ms: p50 %.3f  p90 %.3f  p99 %.3f  p99.9 %.3f  max %.3f%n",
                ms(histogram.getValueAtPercentile(50)), ms(histogram.getValueAtPercentile(90)), ms(histogram.getValueAtPercentile(99)),
                ms(histogram.getValueAtPercentile(99.9)), ms(histogram.getMaxValue()));
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }

    /** One smtpd process: a request, wait for its answer, the next request. All on one event loop thread. */
    private final class Connection extends SimpleChannelInboundHandler<ByteBuf> {
        Channel channel;
        Histogram recording;
        private int next;
        private long sentAt;

        Connection(int index) {
            this.next = index * 7;
        }

        void sendNext() {
            ByteBuf request = requests.get(next++ % requests.size());
            sentAt = System.nanoTime();
            channel.writeAndFlush(request.duplicate(), channel.voidPromise());
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, ByteBuf line) {
            if (line.isReadable()) {
                return; // the action line; the empty line after it ends the answer
            }
            if (recording != null) {
                recording.recordValue(Math.min(System.nanoTime() - sentAt, recording.getHighestTrackableValue()));
            }
            sendNext();
        }
    }
}
