package org.vspam.agent.report;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.serde.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vspam.agent.decision.Decision;
import org.vspam.agent.decision.Listing;
import org.vspam.agent.decision.Outcome;
import org.vspam.agent.decision.Transport;
import org.vspam.agent.decision.DecisionListener;
import org.vspam.agent.indicator.Indicator;
import org.vspam.agent.lookup.Failures;
import org.vspam.agent.verdict.Verdict;
import org.vspam.config.ApiKey;

/**
 * Reports each blocked sender to vspam.org without ever delaying an answer: decisions only enqueue;
 * one worker thread sends. The queue holds {@code queue_size} reports and drops the oldest when
 * full; an indicator is reported once per {@code cache_ttl}. {@code 429} and {@code 5xx} are retried
 * with back-off (honouring {@code Retry-After}); any other {@code 4xx} is dropped with a log line.
 */
public final class Reporter implements DecisionListener, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Reporter.class);
    static final int MAX_ATTEMPTS = 6;
    static final Duration FIRST_BACKOFF = Duration.ofSeconds(1);
    static final Duration LONGEST_BACKOFF = Duration.ofMinutes(5);
    static final Duration FLUSH_DEADLINE = Duration.ofSeconds(5);
    private static final String[] OUTCOMES = {"sent", "retried", "dropped_queue_full", "dropped_rejected", "dropped_failed", "dropped_shutdown"};

    private final URI endpoint;
    private final ApiKey apiKey;
    private final HttpClient http;
    private final ObjectMapper json;
    private final Clock clock;
    private final String agentVersion;
    private final LinkedBlockingDeque<ThreatReport> queue;
    private final Cache<Indicator, Boolean> recentlyReported;
    private final Map<String, Counter> outcomes = new ConcurrentHashMap<>();
    private final CountDownLatch closing = new CountDownLatch(1);
    private final Thread worker;
    private volatile long flushDeadlineNanos = Long.MAX_VALUE;

    public Reporter(URI apiUrl, ApiKey apiKey, int queueSize, Duration dedupeFor, HttpClient http, ObjectMapper json,
                    MeterRegistry registry, Clock clock, String agentVersion) {
        this.endpoint = URI.create(apiUrl + "/api/v1/reports");
        this.apiKey = apiKey;
        this.http = http;
        this.json = json;
        this.clock = clock;
        this.agentVersion = agentVersion;
        this.queue = new LinkedBlockingDeque<>(queueSize);
        this.recentlyReported = Caffeine.newBuilder().expireAfterWrite(dedupeFor).maximumSize(Math.max(10_000, queueSize * 10L)).build();
        for (String outcome : OUTCOMES) {
            outcomes.put(outcome, Counter.builder("vspam.reports").description("Reports of blocked senders by outcome")
                    .tag("outcome", outcome).register(registry));
        }
        Gauge.builder("vspam.report.queue.depth", queue, LinkedBlockingDeque::size)
                .description("Reports waiting to be sent").register(registry);
        this.worker = Thread.ofPlatform().name("vspam-reporter").daemon(true).start(this::work);
    }

    @Override
    public void decided(Transport transport, Decision decision, long nanos) {
        // Only what was refused is reported: not what was tagged or allowed, and nothing in monitor mode.
        String refused = switch (decision.outcome()) {
            case Outcome.Refuse refuse -> "refused";
            case Outcome.Defer defer -> "deferred";
            default -> null;
        };
        Listing listing = decision.outcome().listing().orElse(null);
        if (refused != null && listing != null && listing.listed() && closing.getCount() > 0) {
            submit(listing.finding().indicator(), "vspam-agent " + agentVersion + ": " + refused + " via " + transport + "; listed as "
                    + listing.category() + " (" + listing.finding().verdict().origin().label() + ")");
        }
    }

    private void submit(Indicator indicator, String evidence) {
        if (recentlyReported.asMap().putIfAbsent(indicator, Boolean.TRUE) != null) {
            return;
        }
        ThreatReport report = new ThreatReport(indicator.kind().iocType(), indicator.value(), "phishing", evidence);
        synchronized (queue) {
            while (!queue.offerLast(report)) {
                if (queue.pollFirst() != null) {
                    count("dropped_queue_full");
                }
            }
        }
    }

    private void work() {
        while (true) {
            ThreatReport report;
            try {
                report = closing.getCount() > 0 ? queue.pollFirst(1, TimeUnit.SECONDS) : queue.pollFirst();
            } catch (InterruptedException e) {
                return;
            }
            if (report == null) {
                if (closing.getCount() == 0) {
                    return; // closed and drained
                }
                continue;
            }
            if (System.nanoTime() > flushDeadlineNanos) {
                count("dropped_shutdown");
                continue;
            }
            deliver(report);
        }
    }

    private void deliver(ThreatReport report) {
        Duration backoff = FIRST_BACKOFF;
        for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
            Attempt result = send(report);
            switch (result) {
                case Attempt.Sent sent -> {
                    count("sent");
                    return;
                }
                case Attempt.Rejected rejected -> {
                    LOG.warn("vspam.org refused the report of {} {} (HTTP {}); dropping it", report.iocType(), report.iocValue(), rejected.status());
                    count("dropped_rejected");
                    return;
                }
                case Attempt.Later later -> {
                    if (attempt == MAX_ATTEMPTS || !waitBeforeRetry(later.retryAfter() == null ? backoff : later.retryAfter())) {
                        LOG.warn("giving up reporting {} {} after {} attempts ({})", report.iocType(), report.iocValue(), attempt, later.why());
                        count(closing.getCount() == 0 ? "dropped_shutdown" : "dropped_failed");
                        return;
                    }
                    count("retried");
                    backoff = backoff.multipliedBy(2).compareTo(LONGEST_BACKOFF) > 0 ? LONGEST_BACKOFF : backoff.multipliedBy(2);
                }
            }
        }
    }

    /** Waits, unless shutting down makes waiting pointless; true when the retry should happen. */
    private boolean waitBeforeRetry(Duration wait) {
        long remaining = flushDeadlineNanos - System.nanoTime();
        if (closing.getCount() == 0 && remaining < wait.toNanos()) {
            return false;
        }
        try {
            closing.await(Math.min(wait.toNanos(), LONGEST_BACKOFF.toNanos()), TimeUnit.NANOSECONDS);
            return System.nanoTime() < flushDeadlineNanos || closing.getCount() > 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private Attempt send(ThreatReport report) {
        try {
            HttpRequest request = HttpRequest.newBuilder(endpoint)
                    .timeout(Duration.ofSeconds(10))
                    .header("Content-Type", "application/json")
                    .header("User-Agent", "vspam-agent/" + agentVersion)
                    .header("X-API-Key", apiKey.reveal())
                    .POST(HttpRequest.BodyPublishers.ofByteArray(json.writeValueAsBytes(report)))
                    .build();
            HttpResponse<Void> response = http.send(request, HttpResponse.BodyHandlers.discarding());
            int status = response.statusCode();
            if (status >= 200 && status < 300) {
                return new Attempt.Sent();
            }
            if (status == 429 || status >= 500) {
                return new Attempt.Later("HTTP " + status, RetryAfter.parse(response.headers().firstValue("Retry-After").orElse(null), clock).orElse(null));
            }
            return new Attempt.Rejected(status);
        } catch (IOException e) {
            return new Attempt.Later(Failures.rootMessage(e), null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Attempt.Later("interrupted", null);
        }
    }

    private void count(String outcome) {
        outcomes.get(outcome).increment();
    }

    /** Stops taking reports and sends what is queued, for at most {@link #FLUSH_DEADLINE}. */
    @Override
    public void close() {
        flushDeadlineNanos = System.nanoTime() + FLUSH_DEADLINE.toNanos();
        closing.countDown();
        try {
            worker.join(FLUSH_DEADLINE.plusSeconds(1).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        int left = queue.size();
        if (left > 0) {
            LOG.warn("{} reports not sent before shutdown", left);
        }
    }

    /** The result of one attempt to send a report. */
    private sealed interface Attempt {
        record Sent() implements Attempt {
        }

        record Rejected(int status) implements Attempt {
        }

        record Later(String why, Duration retryAfter) implements Attempt {
        }
    }
}
