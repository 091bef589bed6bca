package org.vspam.agent.api;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.micronaut.serde.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.vspam.agent.indicator.Indicator;
import org.vspam.agent.lookup.Failures;
import org.vspam.agent.lookup.Lookup;
import org.vspam.agent.lookup.LookupSource;
import org.vspam.agent.lookup.Source;
import org.vspam.agent.verdict.Verdict;
import org.vspam.config.ApiKey;
import org.vspam.config.GoDuration;
import org.vspam.config.HostPort;

/**
 * Looks an indicator up by hash: {@code 404} is a definitive clean, {@code 200} an envelope, and
 * everything else (another status, a timeout, a refused connection, a body that does not parse) an
 * error that lets the DNSBL answer instead. While most recent lookups fail, a circuit breaker stops
 * asking for {@link #PAUSE} at a time and then lets a few probes through: an agent under load does not
 * open a connection per lookup to an API that is away, nor rush one that is coming back, and its
 * lookups go straight on to the DNSBL meanwhile instead of waiting out the timeout each.
 *
 * <p>When the breaker opens, later lookups go through a new client with an empty connection pool: the
 * connections pooled before an outage may have died without a word during it (a firewall's or a NAT's
 * state forgotten), and reused after it each would hold a lookup until its timeout and announce the
 * outage a second time just after the API came back.
 */
public final class VspamApiSource implements LookupSource {
    private final URI baseUrl;
    private final ApiKey apiKey;
    private final Duration timeout;
    /** The client lookups go through: the agent's shared one, until the breaker first opens. */
    private volatile HttpClient http;
    private final HttpClient shared;
    private final Supplier<HttpClient> freshClients;
    private final ObjectMapper json;
    private final String userAgent;

    private final Optional<HostPort> proxy;
    /** How long the API is left alone after most recent lookups failed, before a few probes. */
    static final Duration PAUSE = Duration.ofSeconds(1);
    private final CircuitBreaker breaker = CircuitBreaker.of("vspam-api", CircuitBreakerConfig.custom()
            .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
            .slidingWindowSize(20)
            .minimumNumberOfCalls(10)
            .failureRateThreshold(50)
            .waitDurationInOpenState(PAUSE)
            .permittedNumberOfCallsInHalfOpenState(3)
            .automaticTransitionFromOpenToHalfOpenEnabled(true)
            .build());

    /**
     * {@code proxy}: the egress proxy the client reaches {@code baseUrl} through, named in failures;
     * {@code freshClients} builds a client like {@code http}, for after an outage.
     */
    public VspamApiSource(URI baseUrl, ApiKey apiKey, Optional<HostPort> proxy, Duration timeout, HttpClient http,
                          Supplier<HttpClient> freshClients, ObjectMapper json, String userAgent) {
        this.proxy = proxy;
        this.baseUrl = baseUrl;
        this.apiKey = apiKey;
        this.timeout = timeout;
        this.http = http;
        this.shared = http;
        this.freshClients = freshClients;
        this.json = json;
        this.userAgent = userAgent;
        breaker.getEventPublisher().onStateTransition(event -> {
            if (event.getStateTransition().getToState() == CircuitBreaker.State.OPEN) {
                Thread.ofVirtual().name("vspam-api-client-renew").start(this::renewClient); // builds TLS: not on a lookup's thread
            }
        });
    }

    private void renewClient() {
        HttpClient previous = http;
        http = freshClients.get();
        if (previous != shared) {
            previous.shutdownNow(); // its lookups have failed or are failing: the breaker just opened
        }
    }

    @Override
    public Source source() {
        return Source.API;
    }

    @Override
    public CompletableFuture<Lookup> lookup(Indicator indicator) {
        String path = apiKey.present() ? "/api/v1/lookup/" : "/api/v1/public/lookup/";
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + path + indicator.sha256()))
                .timeout(timeout)
                .header("Accept", "application/json")
                .header("User-Agent", userAgent)
                .GET();
        if (apiKey.present()) {
            request.header("X-API-Key", apiKey.reveal());
        }
        if (!breaker.tryAcquirePermission()) {
            // not a new observation of the API: its health keeps what the failed lookups said
            return CompletableFuture.completedFuture(skipped(Lookup.Reason.DISABLED, "paused: most recent lookups failed, asked again within "
                    + GoDuration.format(PAUSE)));
        }
        long started = System.nanoTime();
        return http.sendAsync(request.build(), HttpResponse.BodyHandlers.ofByteArray())
                .handle((response, failure) -> failure == null ? answer(response) : failed(failure))
                .whenComplete((lookup, failure) -> {
                    long nanos = System.nanoTime() - started;
                    if (lookup instanceof Lookup.Answered) {
                        breaker.onSuccess(nanos, TimeUnit.NANOSECONDS);
                    } else {
                        breaker.onError(nanos, TimeUnit.NANOSECONDS, new IllegalStateException("lookup failed"));
                    }
                });
    }

    private Lookup answer(HttpResponse<byte[]> response) {
        return switch (response.statusCode()) {
            case 200 -> parse(response.body());
            case 404 -> new Lookup.Answered(Source.API, Verdict.CLEAN);
            default -> skipped(Lookup.Reason.ERROR, ApiProblem.ofStatus(response.statusCode()));
        };
    }

    private Lookup parse(byte[] body) {
        try {
            LookupEnvelope envelope = json.readValue(body, LookupEnvelope.class);
            if (envelope == null || envelope.data() == null) {
                return skipped(Lookup.Reason.ERROR, "answer without \"data\"");
            }
            return new Lookup.Answered(Source.API, envelope.verdict());
        } catch (IOException | RuntimeException e) {
            return skipped(Lookup.Reason.ERROR, "answer is not the expected JSON");
        }
    }

    private Lookup failed(Throwable failure) {
        if (Failures.cause(failure) instanceof HttpTimeoutException) {
            return skipped(Lookup.Reason.TIMEOUT, "no answer within " + GoDuration.format(timeout) + " (" + ApiProblem.authority(baseUrl) + ")");
        }
        return skipped(Lookup.Reason.ERROR, ApiProblem.ofFailure(failure, baseUrl, proxy));
    }

    private static Lookup skipped(Lookup.Reason reason, String detail) {
        return new Lookup.Skipped(Source.API, reason, detail);
    }
}
