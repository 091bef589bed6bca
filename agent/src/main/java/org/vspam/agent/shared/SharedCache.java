package org.vspam.agent.shared;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.async.RedisStringAsyncCommands;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.event.connection.ConnectionActivatedEvent;
import io.lettuce.core.event.connection.ConnectionEvent;
import io.lettuce.core.resource.ClientResources;
import reactor.core.Disposable;
import io.lettuce.core.resource.EventLoopGroupProvider;
import io.lettuce.core.event.connection.ConnectionDeactivatedEvent;
import io.micronaut.serde.ObjectMapper;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.TrustManagerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vspam.agent.cache.CachedVerdict;
import org.vspam.agent.cache.StoredVerdict;
import org.vspam.agent.indicator.Indicator;
import org.vspam.agent.lookup.CacheTier;
import org.vspam.agent.lookup.Failures;
import org.vspam.agent.lookup.Lookup;
import org.vspam.agent.lookup.Source;
import org.vspam.agent.observe.FlapWatch;

/**
 * Verdicts shared by every agent through Redis. Nothing here may slow a decision down for long:
 * commands fail at once while disconnected, time out after {@code commandTimeout} otherwise, and a
 * circuit breaker stops asking a Redis that keeps failing until a probe succeeds again. The agent
 * starts without Redis and connects (and reconnects) by itself.
 */
public final class SharedCache implements CacheTier, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SharedCache.class);
    private static final Duration LONGEST_RETRY = Duration.ofSeconds(30);

    private final ClientResources resources;
    private final JvmNameResolution names = new JvmNameResolution();
    private final AbstractRedisClient client;
    private final RedisUrls.Target target;
    private final String displayUri;
    private final RedisKeys keys;
    private final ObjectMapper json;
    private final Clock clock;
    private final CircuitBreaker breaker;
    private final ScheduledExecutorService connector = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "vspam-redis-connect");
        thread.setDaemon(true);
        return thread;
    });
    /** The open connection and its commands (a cluster's routes each key to its slot's master). */
    private final AtomicReference<Link> connection = new AtomicReference<>();
    private final AtomicBoolean connected = new AtomicBoolean();
    /** The state the log last told (null before the first connection attempt); guarded by {@code this}, with {@code flaps}. */
    private Boolean told;
    /** Spares the log a Redis link that goes down and up every few seconds: told once a minute instead. */
    private final FlapWatch flaps = new FlapWatch();
    private final CompletableFuture<Boolean> firstAttempt = new CompletableFuture<>();
    /** Verdicts an outage kept back that are written at a time, once Redis is back. */
    private static final int WRITE_BACK_BATCH = 64;
    /** What an outage kept from the other agents, newest last, at most {@code keptWhileUnavailable}. */
    private final Map<Indicator, Unshared> unshared;
    private volatile boolean closed;
    /** Lettuce's connection events; disposed before the close, whose own event would find Lettuce's scheduler gone. */
    private final Disposable connectionEvents;

    private record Link(StatefulConnection<String, String> connection, RedisStringAsyncCommands<String, String> commands) {
    }

    /**
     * {@code trust}: the only authorities accepted for a {@code rediss://} server ({@code redis_ca_file}); empty = the JVM's.
     * {@code keptWhileUnavailable}: how many verdicts learnt while Redis is unavailable are kept to be written once it is back.
     */
    public SharedCache(RedisUrls.Target target, Optional<TrustManagerFactory> trust, String keyPrefix, Duration commandTimeout,
                       EventLoopGroupProvider eventLoops, ObjectMapper json, Clock clock, int keptWhileUnavailable) {
        this.target = target;
        this.unshared = new LinkedHashMap<>(16, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Indicator, Unshared> eldest) {
                return size() > keptWhileUnavailable;
            }
        };
        this.displayUri = RedisUrls.redacted(target);
        this.keys = new RedisKeys(keyPrefix);
        this.json = json;
        this.clock = clock;
        this.resources = RedisClients.resources(eventLoops, names);
        this.client = RedisClients.create(target, resources, trust, commandTimeout);
        this.breaker = CircuitBreaker.of("shared-cache", CircuitBreakerConfig.custom()
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(20)
                .minimumNumberOfCalls(5)
                .failureRateThreshold(50)
                .slowCallDurationThreshold(commandTimeout)
                .slowCallRateThreshold(50)
                .waitDurationInOpenState(Duration.ofSeconds(2))
                .permittedNumberOfCallsInHalfOpenState(3)
                .automaticTransitionFromOpenToHalfOpenEnabled(true)
                .build());
        // One line when an outage starts and one when it ends, however it shows (the breaker opening, the
        // connection dropping): a probe that fails (half-open back to open) only continues the same outage.
        breaker.getEventPublisher().onStateTransition(event -> {
            CircuitBreaker.State from = event.getStateTransition().getFromState();
            switch (event.getStateTransition().getToState()) {
                case OPEN -> {
                    if (from == CircuitBreaker.State.CLOSED && !closed && wentDown()) {
                        LOG.warn("shared cache {} is failing or slow: asking it again every {}s meanwhile; answering from the local cache "
                                + "and upstream", displayUri, 2);
                    }
                }
                case CLOSED -> {
                    if (from == CircuitBreaker.State.HALF_OPEN && !closed) {
                        wentUp().ifPresent(tell -> recovered("shared cache {} answers normally again{}", tell));
                    }
                }
                default -> { }
            }
        });
        this.connectionEvents = resources.eventBus().get().subscribe(event -> {
            if (event instanceof ConnectionEvent connectionEvent && !ofTheCache(connectionEvent.remoteAddress())) {
                return;
            }
            if (event instanceof ConnectionActivatedEvent) {
                breaker.reset(); // a fresh connection starts with a clean record
                markConnected(true, null);
            } else if (event instanceof ConnectionDeactivatedEvent) {
                markConnected(false, "connection lost");
            }
        });
    }

    /**
     * Whether a connection event is about the cache's own connection. Not when it is a sentinel's,
     * asked where the master is and hung up on; nor one of a cluster's nodes: the cluster connection
     * holds one per node and probes them for the slot map, a node's loss only stalls its slots until
     * a replica takes over, and the circuit breaker speaks when the cluster as a whole fails.
     */
    private boolean ofTheCache(SocketAddress remote) {
        return switch (target) {
            case RedisUrls.Target.Cluster cluster -> false;
            case RedisUrls.Target.Single single -> !(remote instanceof InetSocketAddress address)
                    || single.uri().getSentinels().stream().noneMatch(sentinel -> sentinel.getPort() == address.getPort()
                            && (sentinel.getHost().equals(address.getHostString())
                            || address.getAddress() != null && sentinel.getHost().equals(address.getAddress().getHostAddress())));
        };
    }

    /** Starts connecting in the background; the agent does not wait for Redis. */
    public void start() {
        connect(Duration.ofMillis(500));
        connector.scheduleWithFixedDelay(this::tellFlapping, 1, 1, TimeUnit.SECONDS);
    }

    private void tellFlapping() {
        flaps.due(System.nanoTime()).ifPresent(line -> line.tell(LOG, "shared cache " + displayUri));
    }

    /** Completes with true or false once the first connection attempt has succeeded or failed. */
    public CompletableFuture<Boolean> firstAttempt() {
        return firstAttempt.copy();
    }

    private void connect(Duration nextDelay) {
        if (closed) {
            return;
        }
        CompletableFuture<Link> opening = switch (target) {
            case RedisUrls.Target.Single single -> ((RedisClient) client).connectAsync(StringCodec.UTF8, single.uri()).toCompletableFuture()
                    .thenApply(opened -> new Link(opened, opened.async()));
            // the slot map first (the cluster client connects only knowing it), from whichever seed answers
            case RedisUrls.Target.Cluster cluster -> ((RedisClusterClient) client).refreshPartitionsAsync().toCompletableFuture()
                    .thenCompose(mapped -> ((RedisClusterClient) client).connectAsync(StringCodec.UTF8))
                    .thenApply(opened -> new Link(opened, opened.async()));
        };
        opening.whenComplete((opened, failure) -> {
            if (failure == null) {
                synchronized (unshared) { // see writeBack: a verdict is kept back or written, never stranded between the two
                    connection.set(opened);
                }
                markConnected(true, null);
                writeBack(takeUnshared()); // what a recovery announced before the connection was handed over
                firstAttempt.complete(true);
                if (closed) {
                    opened.connection().closeAsync();
                }
                return;
            }
            markConnected(false, problem(failure));
            firstAttempt.complete(false);
            Duration delay = nextDelay.compareTo(LONGEST_RETRY) < 0 ? nextDelay.multipliedBy(2) : LONGEST_RETRY;
            if (!closed) {
                connector.schedule(() -> connect(delay), nextDelay.toMillis(), TimeUnit.MILLISECONDS);
            }
        });
    }

    /** Why connecting failed, with the setting that fixes an untrusted certificate. */
    private static String problem(Throwable failure) {
        String message = Failures.rootMessage(failure);
        return message.contains("unable to find valid certification path")
                ? message + " — set redis_ca_file to the PEM of the authority that signed the server's certificate"
                : message;
    }

    /**
     * One log line per change of state, whichever path (connect attempt, Lettuce's events) notices
     * it first; the state starts unknown so that a Redis already down at start is logged once.
     */
    private void markConnected(boolean now, String why) {
        connected.set(now);
        if (closed) {
            return;
        }
        if (now) {
            wentUp().ifPresent(tell -> recovered("shared cache connected: {}{}", tell));
        } else if (wentDown()) {
            LOG.warn("shared cache {} unavailable ({}); answering from the local cache and upstream, reconnecting in the background",
                    displayUri, why);
        }
    }

    /**
     * The state told goes down: true when that is a line (it was not down already, and Redis is not flapping). One lock for
     * the state and the flap watch, so that an outage and a recovery noticed at once on two threads (the breaker's, the
     * connection's) leave them agreeing.
     */
    private synchronized boolean wentDown() {
        if (Boolean.FALSE.equals(told)) {
            return false;
        }
        told = false;
        return flaps.down(System.nanoTime());
    }

    /** The state told goes up: empty when it was up already; else whether that is a line (always the first connection, not while flapping). */
    private synchronized Optional<Boolean> wentUp() {
        if (Boolean.TRUE.equals(told)) {
            return Optional.empty();
        }
        boolean first = told == null;
        told = true;
        return Optional.of(first || flaps.up(System.nanoTime()));
    }

    /** The one line at the end of an outage or of the start, unless {@code tell} is false (flapping); and what the outage kept back written. */
    private void recovered(String message, boolean tell) {
        List<Unshared> learnt = takeUnshared();
        if (tell) {
            LOG.info(message, displayUri, learnt.isEmpty() ? "" : "; sharing the " + learnt.size() + " verdicts learnt meanwhile");
        }
        writeBack(learnt);
    }

    /** A verdict learnt while Redis was unavailable, written to it once it is back (if still alive then). */
    private record Unshared(Indicator indicator, Lookup.Answered answer, long expiresAtMillis) {
    }

    /** Keeps a verdict for later; beyond the limit the oldest goes (it is still in the local cache). */
    private void keepUnshared(Unshared verdict) {
        synchronized (unshared) {
            unshared.put(verdict.indicator(), verdict);
        }
    }

    /**
     * Writes what an outage kept back, outside the circuit breaker's record, {@link #WRITE_BACK_BATCH}
     * at a time: thousands of writes sent at once would queue every lookup behind them on the one
     * connection, and the lookups, late, would read as a slow Redis. What cannot be written now is kept
     * for the next recovery.
     */
    private void writeBack(List<Unshared> learnt) {
        Link redis;
        synchronized (unshared) {
            redis = connection.get();
            if (redis == null) {
                // Lettuce announced the connection before connectAsync handed it over: written once it has. Under the
                // lock the hand-over waits for this, so its own write-back finds these verdicts kept.
                learnt.forEach(this::keepUnshared);
                return;
            }
        }
        writeBack(redis, learnt, 0);
    }

    private void writeBack(Link redis, List<Unshared> learnt, int from) {
        int to = Math.min(from + WRITE_BACK_BATCH, learnt.size());
        List<CompletableFuture<String>> writes = new ArrayList<>(to - from);
        for (Unshared verdict : learnt.subList(from, to)) {
            long remaining = verdict.expiresAtMillis() - clock.millis();
            if (remaining <= 0) {
                continue;
            }
            try {
                writes.add(write(redis, verdict.indicator(), encode(verdict.answer(), verdict.expiresAtMillis()), remaining).toCompletableFuture());
            } catch (IOException e) {
                // a verdict that cannot be written as JSON is not shared, as in store()
            }
        }
        if (to == learnt.size()) {
            return;
        }
        CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).whenComplete((done, failure) -> {
            if (failure == null && !closed) {
                writeBack(redis, learnt, to);
            } else {
                learnt.subList(to, learnt.size()).forEach(this::keepUnshared);
            }
        });
    }

    private List<Unshared> takeUnshared() {
        synchronized (unshared) {
            List<Unshared> taken = List.copyOf(unshared.values());
            unshared.clear();
            return taken;
        }
    }

    /** True while Redis is connected and not skipped by the breaker. */
    public boolean available() {
        return connected.get() && breaker.getState() != CircuitBreaker.State.OPEN;
    }

    @Override
    public Source source() {
        return Source.SHARED_CACHE;
    }

    @Override
    public CompletableFuture<Lookup> lookup(Indicator indicator) {
        Link redis = connection.get();
        if (redis == null || !connected.get()) {
            return CompletableFuture.completedFuture(skipped(Lookup.Reason.ERROR, "not connected"));
        }
        if (!breaker.tryAcquirePermission()) {
            return CompletableFuture.completedFuture(skipped(Lookup.Reason.ERROR, "circuit open"));
        }
        long started = System.nanoTime();
        return redis.commands().get(keys.of(indicator)).toCompletableFuture().handle((value, failure) -> {
            long nanos = System.nanoTime() - started;
            if (failure != null) {
                breaker.onError(nanos, TimeUnit.NANOSECONDS, failure);
                return Failures.cause(failure) instanceof RedisCommandTimeoutException
                        ? skipped(Lookup.Reason.TIMEOUT, "no answer within the command timeout")
                        : skipped(Lookup.Reason.ERROR, Failures.rootMessage(failure));
            }
            breaker.onSuccess(nanos, TimeUnit.NANOSECONDS);
            return value == null ? skipped(Lookup.Reason.MISS, "not shared yet") : decode(value);
        });
    }

    private Lookup decode(String value) {
        try {
            CachedVerdict cached = json.readValue(value, StoredVerdict.class).toCached();
            if (cached.expiresAtMillis() <= clock.millis()) {
                return skipped(Lookup.Reason.MISS, "expired");
            }
            return new Lookup.Answered(Source.SHARED_CACHE, cached.verdict(), OptionalLong.of(cached.expiresAtMillis()));
        } catch (IOException | RuntimeException e) {
            return skipped(Lookup.Reason.ERROR, "unreadable entry");
        }
    }

    @Override
    public void store(Indicator indicator, Lookup.Answered answer, long expiresAtMillis) {
        Link redis = connection.get();
        long remaining = expiresAtMillis - clock.millis();
        if (remaining <= 0) {
            return;
        }
        if (redis == null || !connected.get() || !breaker.tryAcquirePermission()) {
            keepUnshared(new Unshared(indicator, answer, expiresAtMillis));
            return;
        }
        String value;
        try {
            value = encode(answer, expiresAtMillis);
        } catch (IOException e) {
            breaker.releasePermission();
            return;
        }
        long started = System.nanoTime();
        write(redis, indicator, value, remaining).whenComplete((ok, failure) -> {
            long nanos = System.nanoTime() - started;
            if (failure != null) {
                breaker.onError(nanos, TimeUnit.NANOSECONDS, failure);
            } else {
                breaker.onSuccess(nanos, TimeUnit.NANOSECONDS);
            }
        });
    }

    private String encode(Lookup.Answered answer, long expiresAtMillis) throws IOException {
        return json.writeValueAsString(StoredVerdict.of(answer.verdict(), answer.source(), expiresAtMillis));
    }

    /** Stores a verdict for the rest of its lifetime, as Redis's own expiry. */
    private RedisFuture<String> write(Link redis, Indicator indicator, String value, long remainingMillis) {
        return redis.commands().set(keys.of(indicator), value, SetArgs.Builder.px(remainingMillis));
    }

    /** The Redis key of an indicator's verdict. */
    String keyOf(Indicator indicator) {
        return keys.of(indicator);
    }

    private static Lookup skipped(Lookup.Reason reason, String detail) {
        return new Lookup.Skipped(Source.SHARED_CACHE, reason, detail);
    }

    @Override
    public void close() {
        closed = true;
        // The channel goes inactive on the event loop after close() returns; published to a subscriber then,
        // that event met a shut-down scheduler and Reactor logged it as an error.
        connectionEvents.dispose();
        connector.shutdownNow();
        Link redis = connection.getAndSet(null);
        if (redis != null) {
            redis.connection().close();
        }
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        resources.shutdown(0, 2, TimeUnit.SECONDS);
        names.close();
    }
}
