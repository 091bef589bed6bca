package org.vspam.agent.bench;

import io.lettuce.core.LettuceFutures;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.CountAtBucket;
import io.micrometer.core.instrument.distribution.HistogramSnapshot;
import io.micronaut.serde.ObjectMapper;
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
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.LineBasedFrameDecoder;
import com.sun.management.GarbageCollectionNotificationInfo;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.management.ListenerNotFoundException;
import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;
import org.HdrHistogram.Histogram;
import org.awaitility.Awaitility;
import org.vspam.agent.Agent;
import org.vspam.agent.cache.StoredVerdict;
import org.vspam.agent.lookup.Source;
import org.vspam.agent.shared.SharedCache;
import org.vspam.agent.testing.AgentHarness;
import org.vspam.agent.testing.AotTraining;
import org.vspam.agent.testing.FakeVspamApi;
import org.vspam.agent.testing.PolicyClient;
import org.vspam.agent.testing.RedisServer;
import org.vspam.agent.testing.ThreatFixtures;
import org.vspam.agent.verdict.ThreatDetails;
import org.vspam.agent.verdict.Verdict;
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
 * <p>Settings (system properties): {@code bench.mode} ({@code local}, {@code shared}, {@code redis-down}, {@code image}),
 * {@code bench.connections} (50), {@code bench.rate} (requests/s for an open loop; 0, the default,
 * is the closed loop), {@code bench.duration} (20s), {@code bench.warmup} (5s),
 * {@code bench.senders} (distinct sender domains: 1000, or 1,000,000 in shared mode so that no
 * sender is asked twice), {@code bench.target}.
 */
public final class PolicyBenchmark {
    private final int connections = Integer.getInteger("bench.connections", 50);
    /** Requests per second offered by all connections together; 0 = closed loop (each sends as soon as answered). */
    private final int rate = Integer.getInteger("bench.rate", 0);
    private final Duration duration = GoDuration.parse(System.getProperty("bench.duration", "20s"));
    private final Duration warmup = GoDuration.parse(System.getProperty("bench.warmup", "5s"));
    private final Mode mode = Mode.valueOf(System.getProperty("bench.mode", "local").toUpperCase(java.util.Locale.ROOT).replace('-', '_'));
    private final int senders = Integer.getInteger("bench.senders", 0) > 0 ? Integer.getInteger("bench.senders")
            : mode == Mode.SHARED || Boolean.getBoolean("bench.shared") ? 1_000_000 : 1000;

    /** What the agent has to do for each answer. */
    private enum Mode {
        /** Every verdict in the in-process cache. */
        LOCAL,
        /** The in-process cache cold, every verdict in Redis (learned by another agent). */
        SHARED,
        /** {@code redis_url} set, Redis unreachable; verdicts in the in-process cache. */
        REDIS_DOWN,
        /** The agent as its image runs it, in its own JVM: start-up time and resident memory, idle and under this load. */
        IMAGE
    }

    private static final byte[] HEAD = ascii("request=smtpd_access_policy\nprotocol_state=RCPT\nprotocol_name=ESMTP\nclient_address=192.0.2.");
    private static final byte[] MIDDLE = ascii("\nclient_name=mail.example.com\nhelo_name=mail.example.com\nsender=user@");
    private static final byte[] TAIL = ascii("\nrecipient=user@example.org\nrecipient_count=0\nqueue_id=\ninstance=123.456.7\nsize=0\n\n");

    public static void main(String[] args) throws Exception {
        new PolicyBenchmark().run();
        System.exit(0);
    }

    private void run() throws Exception {
        if (mode == Mode.IMAGE) {
            runImage();
            return;
        }
        String target = System.getProperty("bench.target", "");
        if (!target.isEmpty()) {
            URI address = URI.create("tcp://" + target);
            measure(new InetSocketAddress(address.getHost(), address.getPort()), rate, () -> { });
            return;
        }
        try (FakeVspamApi api = new FakeVspamApi(); RedisServer redis = mode == Mode.LOCAL ? null : redis()) {
            String yaml = "api_url: " + api.baseUrl() + "\nlisten: tcp://127.0.0.1:0\ncache_path: \"\"\n"
                    + "dnsbl_enabled: false\nlog_level: warn\ncache_ttl: 1h\nredis_key_prefix: bench\n"
                    + (redis == null ? "" : "redis_url: " + redis.url() + "\n");
            if (mode == Mode.SHARED) {
                seedRedis(redis);
            }
            try (Agent agent = AgentHarness.start(yaml)) {
                int port = agent.policyServer().port();
                if (mode == Mode.SHARED) {
                    Awaitility.await().until(() -> agent.context().getBean(SharedCache.class).available());
                } else {
                    warmCache(port);
                }
                System.out.printf("mode %s: agent in this JVM on port %d, %d verdicts in its local cache, %d upstream lookups so far%n",
                        mode.name().toLowerCase(java.util.Locale.ROOT), port, agent.cache().size(), api.lookups());
                MeterRegistry meters = agent.context().getBean(MeterRegistry.class);
                Map<String, Window> windows = new LinkedHashMap<>();
                GcPauses pauses = new GcPauses();
                measure(new InetSocketAddress("127.0.0.1", port), rate, () -> { // the timers exist once the warm-up has made decisions
                    pauses.start();
                    windows.put("agent-side decision time", new Window(meters.get("vspam.decision.duration").tag("transport", "policy").timer()));
                    if (mode == Mode.SHARED) {
                        windows.put("shared cache (Redis) lookup time",
                                new Window(meters.get("vspam.lookup.duration").tag("source", "shared_cache").timer()));
                    }
                });
                System.out.println("garbage collection while measuring (agent and load generator share this JVM): " + pauses.stop());
                System.out.printf("answers per tier: local cache %.0f, shared cache %.0f, vspam.org API %d%n",
                        meters.counter("vspam.lookups", "source", "local_cache", "outcome", "hit").count(),
                        meters.counter("vspam.lookups", "source", "shared_cache", "outcome", "listed").count()
                                + meters.counter("vspam.lookups", "source", "shared_cache", "outcome", "clean").count(),
                        api.lookups());
                windows.forEach((what, window) -> System.out.println(what + " while measuring (histogram bucket bounds): " + window.percentiles()));
            }
        }
    }

    /**
     * The agent as users run it ({@link ImageAgent}): five starts to the first answer, one more with
     * a log of its classes to count those loaded by then, then one under load: the closed loop for
     * {@code bench.duration} and an open loop at {@code bench.rate} (5,000/s unless given), each with
     * the agent's CPU time per answer and its resident memory afterwards. {@code bench.memory} is the
     * memory limit (96m: what a sidecar must live within), {@code bench.unix=true} puts the policy
     * listener on a unix socket as a sidecar's is, {@code bench.launcher=PATH} starts a package's
     * launcher instead of the image's entry command, {@code bench.aot=false} leaves the image's AOT
     * cache out, {@code bench.shared=true} gives the agent a Redis that already holds every sender's
     * verdict (the shared scenario).
     */
    private void runImage() throws Exception {
        String limit = System.getProperty("bench.memory", "96m");
        boolean unix = Boolean.getBoolean("bench.unix");
        String launcher = System.getProperty("bench.launcher", "");
        boolean shared = Boolean.getBoolean("bench.shared");
        int openRate = rate > 0 ? rate : 5000;
        try (FakeVspamApi api = new FakeVspamApi()) {
            ImageAgent.Launch launch;
            if (!launcher.isEmpty()) {
                launch = new ImageAgent.Launch.Launcher(Path.of(launcher));
            } else if (Boolean.parseBoolean(System.getProperty("bench.aot", "true"))) {
                launch = new ImageAgent.Launch.Image(AotTraining.record(Files.createTempDirectory("vspam-aot").resolve("vspam-agent.aot"),
                        Files.createTempFile("aot-training", ".log")));
            } else {
                launch = new ImageAgent.Launch.Image(null);
            }
            String how = launch instanceof ImageAgent.Launch.Launcher l ? "launcher " + l.launcher()
                    : ((ImageAgent.Launch.Image) launch).aotCache() == null ? "image entry command without its AOT cache" : "image entry command";
            List<Long> starts = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                try (ImageAgent agent = ImageAgent.start(launch, limit, unix, api.baseUrl(), List.of(), Map.of())) {
                    starts.add(agent.millisToFirstAnswer());
                }
            }
            System.out.printf("%s, memory limit %s, %s listener: first policy answer after %s ms%n", how, limit, unix ? "unix socket" : "TCP", starts);
            Path classLog = Files.createTempFile("vspam-agent-classes", ".log");
            try (ImageAgent agent = ImageAgent.start(launch, limit, unix, api.baseUrl(), List.of("-Xlog:class+load:file=" + classLog), Map.of())) {
                agent.millisToFirstAnswer();
                List<String> loaded = Files.readAllLines(classLog);
                System.out.printf("classes loaded at the first answer: %d (%d of them from the AOT cache)%n", loaded.size(),
                        loaded.stream().filter(line -> line.contains("source: shared objects file")).count());
            } finally {
                Files.deleteIfExists(classLog);
            }
            try (RedisServer redis = shared ? RedisServer.start() : null;
                 ImageAgent agent = ImageAgent.start(launch, limit, unix, api.baseUrl(), List.of(),
                         shared ? Map.of("VSPAM_REDIS_URL", redis.url(), "VSPAM_REDIS_KEY_PREFIX", "bench") : Map.of())) {
                agent.millisToFirstAnswer();
                TimeUnit.SECONDS.sleep(2);
                long[] idle = agent.residentKib();
                if (shared) {
                    seedRedis(redis); // every sender learned by another agent: the local tier cold, Redis warm
                }
                System.out.printf("resident memory idle: %s%n", mib(idle));
                for (int loopRate : new int[] {0, openRate}) {
                    long[] ticks = new long[1];
                    int[] gcLogFrom = new int[1];
                    long[] answered = new long[1];
                    long anonymousPeak = agent.anonymousPeakKibDuring(() -> answered[0] = measure(agent.loadAddress(), loopRate, () -> {
                        gcLogFrom[0] = agent.gcLogLines();
                        try {
                            ticks[0] = agent.cpuTicks();
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    }));
                    long answers = answered[0];
                    System.out.printf("anonymous memory at its peak during the %s: %.1f MiB%n", loopRate == 0 ? "closed loop" : "open loop",
                            anonymousPeak / 1024.0);
                    double cpuMicros = (agent.cpuTicks() - ticks[0]) * 1e6 / clockTicksPerSecond() / Math.max(answers, 1);
                    System.out.printf("the agent's CPU time per answer: %.1f us; its garbage collection: %s%n", cpuMicros,
                            agent.collectionsSince(gcLogFrom[0]));
                    System.out.printf("resident memory after the %s: %s%n", loopRate == 0 ? "closed loop" : "open loop", mib(agent.residentKib()));
                }
            }
        }
    }

    private static String mib(long[] kib) {
        return String.format("%.1f MiB (anonymous %.1f, file-backed %.1f)", kib[0] / 1024.0, kib[1] / 1024.0, kib[2] / 1024.0);
    }

    /** The kernel's clock ticks per second, in which /proc counts CPU time. */
    private static long clockTicksPerSecond() throws IOException, InterruptedException {
        Process getconf = new ProcessBuilder("getconf", "CLK_TCK").start();
        String ticks = new String(getconf.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).strip();
        getconf.waitFor();
        return Long.parseLong(ticks);
    }

    /** One of the agent's timers from the start of the measuring window on: its histogram then, compared with now. */
    private record Window(Timer timer, HistogramSnapshot atStart) {
        Window(Timer timer) {
            this(timer, timer.takeSnapshot());
        }

        String percentiles() {
            HistogramSnapshot now = timer.takeSnapshot();
            return String.format("p50 <= %.3f ms, p99 <= %.3f ms, p99.9 <= %.3f ms",
                    bound(now, 0.50), bound(now, 0.99), bound(now, 0.999));
        }

        /** The upper bound of the bucket holding the quantile, counting only what was recorded since the start. */
        private double bound(HistogramSnapshot now, double quantile) {
            CountAtBucket[] before = atStart.histogramCounts();
            CountAtBucket[] after = now.histogramCounts();
            double wanted = (now.count() - atStart.count()) * quantile;
            for (int i = 0; i < after.length; i++) {
                if (after[i].count() - before[i].count() >= wanted) {
                    return after[i].bucket(TimeUnit.MILLISECONDS);
                }
            }
            return Double.NaN;
        }
    }

    /** The JVM's collections while measuring: every one stops the agent and the load generator alike. */
    private static final class GcPauses implements NotificationListener {
        private final List<Long> millis = new ArrayList<>();

        void start() {
            ManagementFactory.getGarbageCollectorMXBeans().forEach(bean -> listen(bean, true));
        }

        synchronized String stop() {
            ManagementFactory.getGarbageCollectorMXBeans().forEach(bean -> listen(bean, false));
            long total = millis.stream().mapToLong(Long::longValue).sum();
            long longest = millis.stream().mapToLong(Long::longValue).max().orElse(0);
            return String.format("%d collections, %d ms in total, longest %d ms", millis.size(), total, longest);
        }

        private void listen(GarbageCollectorMXBean bean, boolean on) {
            try {
                if (on) {
                    ((NotificationEmitter) bean).addNotificationListener(this, null, null);
                } else {
                    ((NotificationEmitter) bean).removeNotificationListener(this);
                }
            } catch (ListenerNotFoundException e) {
                // never added: nothing to remove
            }
        }

        @Override
        public synchronized void handleNotification(Notification notification, Object handback) {
            if (GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(notification.getType())) {
                millis.add(GarbageCollectionNotificationInfo.from((CompositeData) notification.getUserData()).getGcInfo().getDuration());
            }
        }
    }

    /** Redis for the shared modes; for {@code redis-down}, an address where nothing answers. */
    private RedisServer redis() throws Exception {
        return mode == Mode.SHARED ? RedisServer.start() : RedisServer.notYetStarted();
    }

    /** Writes every sender's verdict into Redis the way another agent would have. */
    private void seedRedis(RedisServer redis) throws Exception {
        long expiresAt = System.currentTimeMillis() + 3_600_000;
        ObjectMapper json = ObjectMapper.getDefault();
        String listed = json.writeValueAsString(StoredVerdict.of(new Verdict.Listed("phishing_url", ThreatDetails.ofCategory("phishing_url")), Source.API, expiresAt));
        String clean = json.writeValueAsString(StoredVerdict.of(Verdict.CLEAN, Source.API, expiresAt));
        try (StatefulRedisConnection<String, String> connection = redis.connect()) {
            connection.setAutoFlushCommands(false);
            List<RedisFuture<?>> batch = new ArrayList<>();
            for (int i = 0; i < senders; i++) {
                batch.add(connection.async().set("bench:v1:d:" + domain(i), domain(i).equals(ThreatFixtures.PHISH) ? listed : clean, SetArgs.Builder.px(3_600_000)));
                if (i < 250) {
                    batch.add(connection.async().set("bench:v1:i:192.0.2." + (i + 1), clean, SetArgs.Builder.px(3_600_000)));
                }
                if (batch.size() >= 10_000 || i == senders - 1) {
                    connection.flushCommands();
                    LettuceFutures.awaitAll(Duration.ofMinutes(1), batch.toArray(new RedisFuture[0]));
                    batch.clear();
                }
            }
        }
        System.out.printf("seeded Redis with %d sender verdicts%n", senders);
    }

    private void warmCache(int port) throws Exception {
        try (PolicyClient client = PolicyClient.tcp(port)) {
            for (int i = 0; i < senders; i++) {
                ByteBuf request = request(i, Unpooled.buffer());
                client.send(request.toString(StandardCharsets.US_ASCII));
                request.release();
                client.readAnswer();
            }
        }
    }

    private static String domain(int i) {
        return i % 10 == 0 ? ThreatFixtures.PHISH : "s" + i + ".example.org";
    }

    /** Sender {@code i}'s request, shaped like {@link PolicyClient#request}, written without building a String. */
    private static ByteBuf request(int i, ByteBuf buffer) {
        buffer.writeBytes(HEAD);
        buffer.writeCharSequence(Integer.toString(i % 250 + 1), StandardCharsets.US_ASCII);
        buffer.writeBytes(MIDDLE);
        buffer.writeCharSequence(domain(i), StandardCharsets.US_ASCII);
        buffer.writeBytes(TAIL);
        return buffer;
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * Runs the load against {@code address} (a TCP address, or a unix socket's {@link DomainSocketAddress});
     * {@code rate} requests/s in an open loop, or 0 for the closed loop. {@code recordingStarts} runs
     * when the warm-up ends and the figures begin to count. Returns the answers counted.
     */
    private long measure(SocketAddress address, int rate, Runnable recordingStarts) throws Exception {
        boolean unix = address instanceof DomainSocketAddress;
        boolean epoll = Epoll.isAvailable();
        if (unix && !epoll) {
            throw new IllegalStateException("a unix socket needs Netty's epoll transport (Linux)");
        }
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        try {
            List<Connection> pool = new ArrayList<>();
            Bootstrap bootstrap = new Bootstrap().group(group)
                    .channel(unix ? EpollDomainSocketChannel.class : epoll ? EpollSocketChannel.class : NioSocketChannel.class);
            if (!unix) {
                bootstrap.option(ChannelOption.TCP_NODELAY, true);
            }
            for (int i = 0; i < connections; i++) {
                Connection connection = new Connection(i, rate);
                bootstrap.handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new LineBasedFrameDecoder(4096), connection);
                    }
                });
                connection.channel = bootstrap.connect(address).sync().channel();
                pool.add(connection);
            }
            System.out.printf("%d connections (%s), %s, warm-up %s, measuring %s%n", connections, unix ? "unix socket" : "TCP",
                    rate > 0 ? "open loop at " + rate + " requests/s (latency counted from each request's planned send time)" : "closed loop",
                    GoDuration.format(warmup), GoDuration.format(duration));
            long start = System.nanoTime();
            pool.forEach(c -> c.channel.eventLoop().execute(() -> c.begin(start)));
            TimeUnit.NANOSECONDS.sleep(warmup.toNanos());
            Histogram histogram = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
            group.submit(() -> pool.forEach(c -> c.recording = histogram)).sync();
            recordingStarts.run();
            long started = System.nanoTime();
            TimeUnit.NANOSECONDS.sleep(duration.toNanos());
            group.submit(() -> pool.forEach(c -> c.recording = null)).sync();
            double seconds = (System.nanoTime() - started) / 1e9;
            report(histogram, seconds);
            return histogram.getTotalCount();
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
        /** Open loop: when the next request is due; one request per interval, as a steady smtpd would send them. */
        private long dueAt;
        /** Requests/s of all connections together in the open loop; 0 = closed loop. */
        private final int rate;

        /** Connections take turns through the senders, so each sender is asked once per round. */
        Connection(int index, int rate) {
            this.next = index % senders;
            this.rate = rate;
        }

        /** Starts sending; in the open loop the connections' schedules are spread evenly over one interval. */
        void begin(long start) {
            if (rate > 0) {
                dueAt = start + interval() * next / connections;
                channel.eventLoop().schedule(this::sendNext, dueAt - System.nanoTime(), TimeUnit.NANOSECONDS);
            } else {
                sendNext();
            }
        }

        private long interval() {
            return TimeUnit.SECONDS.toNanos(1) * connections / rate;
        }

        void sendNext() {
            ByteBuf request = request(next, channel.alloc().buffer(320));
            next = (next + connections) % senders;
            // Open loop: a late answer delays the next send, but its latency still counts from when it was due.
            sentAt = rate > 0 ? dueAt : System.nanoTime();
            dueAt += rate > 0 ? interval() : 0;
            channel.writeAndFlush(request, channel.voidPromise());
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, ByteBuf line) {
            if (line.isReadable()) {
                return; // the action line; the empty line after it ends the answer
            }
            long now = System.nanoTime();
            if (recording != null) {
                recording.recordValue(Math.min(now - sentAt, recording.getHighestTrackableValue()));
            }
            if (rate > 0 && dueAt > now) {
                ctx.executor().schedule(this::sendNext, dueAt - now, TimeUnit.NANOSECONDS);
            } else {
                sendNext();
            }
        }
    }
}
