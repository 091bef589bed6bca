package org.vspam.agent.bench;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import org.vspam.agent.Agent;
import org.vspam.agent.testing.AgentHarness;
import org.vspam.agent.testing.FakeVspamApi;
import org.vspam.agent.testing.MilterClient;
import org.vspam.config.GoDuration;

/**
 * Load benchmark for the milter, shaped like Postfix's cleanup processes: {@code bench.connections}
 * (20) persistent connections, each sending its next message as soon as the last is answered. The
 * message is a 50 KB HTML newsletter with 20 links whose verdicts are cached. Prints messages/s and
 * the time from the end of the message to its answer (what the MTA waits on). Then 20 messages of
 * 20 MB are sent at once, each in 64 KiB pieces, and the agent's resident memory is sampled meanwhile.
 *
 * <p>Without {@code bench.target} the agent runs in this JVM (its memory then includes the load
 * generator's); with {@code bench.target=HOST:PORT} and {@code bench.pid=PID} it measures a running agent,
 * such as the image under runc or the packaged launcher, with {@code milter_listen} set.
 */
public final class MilterBenchmark {
    private static final int PIECE = 65_535;
    private final int connections = Integer.getInteger("bench.connections", 20);
    private final Duration duration = GoDuration.parse(System.getProperty("bench.duration", "20s"));
    private final Duration warmup = GoDuration.parse(System.getProperty("bench.warmup", "5s"));
    /** Large messages in flight at once, and their size. */
    private static final int LARGE = 20;
    private static final int LARGE_SIZE = 20 << 20;

    public static void main(String[] args) throws Exception {
        new MilterBenchmark().run();
        System.exit(0);
    }

    private void run() throws Exception {
        String target = System.getProperty("bench.target", "");
        if (!target.isEmpty()) {
            URI address = URI.create("tcp://" + target);
            measure(address.getHost(), address.getPort(), Long.getLong("bench.pid", -1L));
            return;
        }
        try (FakeVspamApi api = new FakeVspamApi();
             Agent agent = AgentHarness.start(AgentHarness.milterYaml(api, "log_level: warn\ncache_ttl: 1h\n"))) {
            int port = agent.milterServer().orElseThrow().port();
            System.out.printf("agent in this JVM, milter on port %d%n", port);
            measure("127.0.0.1", port, ProcessHandle.current().pid());
        }
    }

    private void measure(String host, int port, long pid) throws Exception {
        byte[] newsletter = newsletter();
        Histogram answers = new Histogram(60_000_000_000L, 3);
        AtomicLong messages = new AtomicLong();
        long warm = System.nanoTime() + warmup.toNanos();
        long end = warm + duration.toNanos();
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < connections; c++) {
            threads.add(Thread.ofPlatform().start(() -> {
                try (MilterClient client = MilterClient.tcp(host, port)) {
                    client.connect("192.0.2.10");
                    while (System.nanoTime() < end) {
                        MilterClient.Answer answer = client.message("news@clean.example.org", "text/html; charset=utf-8", newsletter, PIECE);
                        if (System.nanoTime() > warm) {
                            synchronized (answers) {
                                answers.recordValue(answer.nanos());
                            }
                            messages.incrementAndGet();
                        }
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        for (Thread thread : threads) {
            thread.join();
        }
        System.out.printf("%d KB HTML messages with 20 cached links, %d connections: %.0f messages/s; end of message to answer: "
                        + "p50 %.2f ms, p99 %.2f ms, p99.9 %.2f ms, max %.2f ms%n", newsletter.length / 1000, connections,
                messages.get() / (duration.toNanos() / 1e9), answers.getValueAtPercentile(50) / 1e6, answers.getValueAtPercentile(99) / 1e6,
                answers.getValueAtPercentile(99.9) / 1e6, answers.getMaxValue() / 1e6);
        System.out.printf("resident memory after the load: %s%n", rss(pid));

        byte[] big = largeMessage();
        AtomicLong peak = new AtomicLong();
        AtomicLong peakAnonymous = new AtomicLong();
        List<Thread> senders = new ArrayList<>();
        long started = System.nanoTime();
        Histogram largeAnswers = new Histogram(60_000_000_000L, 3);
        for (int i = 0; i < LARGE; i++) {
            senders.add(Thread.ofPlatform().start(() -> {
                try (MilterClient client = MilterClient.tcp(host, port)) {
                    client.connect("192.0.2.11");
                    MilterClient.Answer answer = client.message("big@clean.example.org", "multipart/mixed; boundary=\"b\"", big, PIECE);
                    synchronized (largeAnswers) {
                        largeAnswers.recordValue(answer.nanos());
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        // /proc sampled every 50 ms while the messages stream in
        try (ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor()) {
            sampler.scheduleAtFixedRate(() -> {
                peak.accumulateAndGet(kib(pid, "VmRSS:"), Math::max);
                peakAnonymous.accumulateAndGet(kib(pid, "RssAnon:"), Math::max);
            }, 0, 50, TimeUnit.MILLISECONDS);
            for (Thread sender : senders) {
                sender.join();
            }
            sampler.shutdown();
        }
        System.out.printf("%d messages of %d MB in flight at once: all answered in %.1f s, end of message to answer p99 %.1f ms; "
                        + "peak resident memory %.1f MiB (anonymous %.1f MiB), after: %s%n", LARGE, LARGE_SIZE >> 20,
                (System.nanoTime() - started) / 1e9, largeAnswers.getValueAtPercentile(99) / 1e6, peak.get() / 1024.0, peakAnonymous.get() / 1024.0,
                rss(pid));
    }

    /** About 50 KB of HTML: a newsletter's markup with 20 links to distinct hosts. */
    private static byte[] newsletter() {
        StringBuilder html = new StringBuilder("<html><head><style>p{margin:0}</style></head><body>\r\n");
        Random random = new Random(50);
        int link = 0;
        while (html.length() < 50_000) {
            html.append("<p>");
            for (int w = 0; w < 60; w++) {
                html.append((char) ('a' + random.nextInt(26))).append("orem ");
            }
            if (link < 20) {
                html.append("<a href=\"https://link").append(link++).append(".example.com/article?id=").append(random.nextInt()).append("\">more</a>");
            }
            html.append("</p>\r\n");
        }
        return html.append("</body></html>\r\n").toString().getBytes(StandardCharsets.UTF_8);
    }

    /** A short text part with a link, then a base64 attachment making up the size. */
    private byte[] largeMessage() {
        byte[] attachment = new byte[LARGE_SIZE * 3 / 4];
        new Random(20).nextBytes(attachment);
        String body = "--b\r\nContent-Type: text/plain\r\n\r\nThe report: https://link1.example.com/report\r\n--b\r\n"
                + "Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n"
                + Base64.getMimeEncoder().encodeToString(attachment) + "\r\n--b--\r\n";
        return body.getBytes(StandardCharsets.US_ASCII);
    }

    /** A figure of /proc/PID/status in KiB ({@code VmRSS:}, {@code RssAnon:}). */
    private static long kib(long pid, String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith(field)) {
                    return Long.parseLong(line.replaceAll("\\D", ""));
                }
            }
        } catch (Exception e) {
            return 0;
        }
        return 0;
    }

    private static String rss(long pid) {
        return pid < 0 ? "(no bench.pid)" : String.format("%.1f MiB (anonymous %.1f MiB)", kib(pid, "VmRSS:") / 1024.0, kib(pid, "RssAnon:") / 1024.0);
    }
}
