package org.vspam.agent;

import io.micronaut.context.BeanProvider;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Requires;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.serde.ObjectMapper;
import jakarta.inject.Singleton;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.vspam.agent.api.ApiHttpClient;
import org.vspam.agent.api.VspamApiSource;
import org.vspam.agent.cache.VerdictCache;
import org.vspam.agent.decision.DecisionListener;
import org.vspam.agent.decision.DecisionService;
import org.vspam.agent.decision.LiveControls;
import org.vspam.agent.dnsbl.DnsblResolvers;
import org.vspam.agent.dnsbl.DnsblSource;
import org.vspam.agent.lookup.LookupChain;
import org.vspam.agent.milter.MilterServer;
import org.vspam.agent.milter.MilterService;
import org.vspam.agent.lookup.LookupListener;
import org.vspam.agent.lookup.LookupSource;
import org.vspam.agent.lookup.Source;
import org.vspam.agent.observe.ClientAddresses;
import org.vspam.agent.observe.ConfigInfo;
import org.vspam.agent.observe.SourceHealth;
import org.vspam.agent.observe.SourceProbes;
import org.vspam.agent.policy.PolicyEventLoops;
import org.vspam.agent.policy.PolicyServer;
import org.vspam.agent.policy.PolicyService;
import org.vspam.agent.report.Reporter;
import org.vspam.agent.shared.LentEventLoops;
import org.vspam.agent.shared.RedisUrls;
import org.vspam.agent.shared.SharedCache;
import org.vspam.config.AgentConfig;
import org.vspam.config.ApiProxy;
import org.vspam.config.CaBundle;

/** Builds the decision path from the {@link AgentConfig}; every lifecycle is owned here. */
@Factory
final class AgentFactory {
    /** The in-process tier's size in front of Redis; see {@link #localCacheEntries(long, boolean)}. */
    static final long LOCAL_ENTRIES_BEFORE_REDIS = 16_384;

    /**
     * Local verdicts kept at most. Alone, the local tier is all the agent remembers of upstream
     * answers: one per 2 KiB of heap (an entry takes a few hundred bytes), between 10,000 and
     * 200,000, so 65,536 in a 128 MiB heap. In front of Redis it only has to hold the hot verdicts,
     * since any other one costs a Redis round trip, not an API call: at most 16,384. The size costs
     * more than memory: young collections grow longer with it. With every request bringing a sender
     * never seen before (Redis warm, local tier cold) at 5,000/s and a 6 MiB young generation, they
     * took 2.3–2.7 ms with 65,536 entries and 1.1–1.4 ms with 16,384 (about the same from 5,000 to
     * 20,000).
     */
    static long localCacheEntries(long maxHeapBytes, boolean sharedTier) {
        long byHeap = Math.clamp(maxHeapBytes / 2048, 10_000, 200_000);
        return sharedTier ? Math.min(byHeap, LOCAL_ENTRIES_BEFORE_REDIS) : byHeap;
    }

    /** Redis is on the LAN: an answer slower than this is treated as no answer, and counts against it. */
    static final Duration REDIS_COMMAND_TIMEOUT = Duration.ofMillis(100);

    /** The client for the vspam.org API, built while the rest of the agent starts; see {@link Agent#context}. */
    static ApiHttpClient.Launched launchApiClient(AgentConfig config) {
        return ApiHttpClient.launch(config.apiCa(), config.apiProxy(), apiTimeout(config));
    }

    @Singleton
    @Bean(preDestroy = "close")
    HttpClient apiHttpClient(ApiHttpClient.Launched launched) {
        return launched.client();
    }

    /** The shared tier, when {@code redis_url} is set; it connects in the background. */
    @Singleton
    @Bean(preDestroy = "close")
    @Requires(condition = SharedCacheConfigured.class)
    SharedCache sharedCache(AgentConfig config, ObjectMapper json, MeterRegistry registry, PolicyEventLoops loops) {
        String url = config.redisUrl().orElseThrow().value();
        SharedCache cache = new SharedCache(RedisUrls.parse(url), config.redisCa().map(CaBundle::trustManagers), config.redisKeyPrefix(),
                REDIS_COMMAND_TIMEOUT, new LentEventLoops(loops.group(), loops::serves), json, Clock.systemUTC(),
                (int) LOCAL_ENTRIES_BEFORE_REDIS); // as many as the local tier holds while Redis is away
        Gauge.builder("vspam.shared.cache.up", cache, shared -> shared.available() ? 1 : 0)
                .description("1 while the shared cache (Redis) is connected and answering, else 0")
                .register(registry);
        SourceHealth.registerUpGauge(registry, Source.SHARED_CACHE, cache, SharedCache::available);
        cache.start();
        return cache;
    }

    /** The chain after the local cache, in the order SPEC §7 gives: shared cache, API, then DNSBL. */
    @Singleton
    LookupChain lookupChain(AgentConfig config, BeanProvider<HttpClient> http, ObjectMapper json, List<LookupListener> listeners,
                            Optional<SharedCache> sharedCache, Optional<DnsblResolvers> dnsblResolvers) {
        List<LookupSource> sources = new ArrayList<>();
        sharedCache.ifPresent(sources::add);
        config.apiUrl().ifPresent(url ->
                sources.add(new VspamApiSource(url, config.apiKey(), config.apiProxy().filter(proxy -> !proxy.bypasses(url.getHost()))
                        .map(ApiProxy::address), apiTimeout(config), http.get(),
                        () -> ApiHttpClient.build(config.apiCa(), config.apiProxy(), apiTimeout(config)), json, "vspam-agent/" + Version.current())));
        dnsblResolvers.ifPresent(resolvers -> sources.add(new DnsblSource(config.dnsblZone(), resolvers)));
        return new LookupChain(sources, listeners, config.cacheTtl(), Clock.systemUTC());
    }

    @Singleton
    @Bean(preDestroy = "close")
    VerdictCache verdictCache(AgentConfig config, LookupChain chain, ObjectMapper json) {
        long entries = localCacheEntries(Runtime.getRuntime().maxMemory(), config.redisUrl().isPresent());
        return new VerdictCache(chain, entries, config.cachePath(), json, Clock.systemUTC());
    }

    /** The allow-lists, actions, mode and texts in force; a reload (SIGHUP) or a changed allow_file replaces them. */
    @Singleton
    @Bean(preDestroy = "close")
    LiveControls liveControls(AgentConfig config) {
        return new LiveControls(config);
    }

    /** Failing sources asked again in the background, on the policy loops (see {@link SourceProbes}). */
    @Singleton
    @Bean(preDestroy = "close")
    SourceProbes sourceProbes(SourceHealth health, LookupChain chain, PolicyEventLoops loops) {
        return new SourceProbes(health, chain, loops.group(), SourceProbes.EVERY);
    }

    @Singleton
    ConfigInfo configInfo(MeterRegistry registry, LiveControls controls) {
        return new ConfigInfo(registry, controls);
    }

    @Singleton
    DecisionService decisionService(AgentConfig config, VerdictCache cache, List<DecisionListener> listeners, PolicyEventLoops loops,
                                    LiveControls controls, MeterRegistry registry) {
        List<DecisionListener> all = List.copyOf(listeners);
        // The alert on slow decisions compares their p99 with half of it (deploy/monitoring/vspam-rules.yaml).
        Gauge.builder("vspam.decision.timeout", config.decisionTimeout(), timeout -> timeout.toNanos() / 1e9).baseUnit("seconds")
                .description("decision_timeout: the longest a decision waits for its lookups before answering without them")
                .register(registry);
        // Callers without a scheduler of their own (the HTTP API) have their deadlines kept on the
        // policy loops too, rather than on one more thread.
        return new DecisionService(cache, config.decisionTimeout(), loops.group(), (transport, decision, nanos) ->
                all.forEach(listener -> listener.decided(transport, decision, nanos)), controls);
    }

    /** Reporting blocked senders, when a key allows it ({@code api_key} set and {@code reporting_enabled}). */
    @Singleton
    @Bean(preDestroy = "close")
    @Requires(condition = ReportingActive.class)
    Reporter reporter(AgentConfig config, HttpClient http, ObjectMapper json, MeterRegistry registry) {
        return new Reporter(config.apiUrl().orElseThrow(), config.apiKey(), config.queueSize(), config.cacheTtl(), http, json, registry,
                Clock.systemUTC(), Version.current());
    }

    @Singleton
    PolicyService policyService(DecisionService decisions, ClientAddresses clientAddresses) {
        return new PolicyService(decisions, clientAddresses::saw);
    }

    /** How long the client addresses are counted before their share is judged; see {@link ClientAddresses}. */
    static final Duration CLIENT_ADDRESS_WINDOW = Duration.ofMinutes(5);

    /** The watch for a lost client address, its window ended on a policy event loop (it only sums counters and may log). */
    @Singleton
    ClientAddresses clientAddresses(MeterRegistry registry, PolicyEventLoops loops) {
        ClientAddresses watch = new ClientAddresses(registry, System::nanoTime);
        loops.group().next().scheduleAtFixedRate(watch::endWindow, CLIENT_ADDRESS_WINDOW.toNanos(), CLIENT_ADDRESS_WINDOW.toNanos(),
                TimeUnit.NANOSECONDS);
        return watch;
    }

    @Singleton
    @Bean(preDestroy = "close")
    PolicyServer policyServer(AgentConfig config, PolicyService service, PolicyEventLoops loops, MeterRegistry registry) {
        PolicyServer server = new PolicyServer(config.listen(), config.socketMode(), config.idleTimeout(), service, loops);
        Gauge.builder("vspam.policy.connections", server, PolicyServer::openConnections)
                .description("policy connections open now (Postfix keeps one per smtpd process that asked recently)")
                .register(registry);
        return server;
    }

    @Singleton
    MilterService milterService(AgentConfig config, DecisionService decisions, MeterRegistry registry) {
        return new MilterService(decisions, config.milter(), config.decisionTimeout(), registry);
    }

    /** The milter listener, when {@code milter_listen} is set; on the policy server's event loops. */
    @Singleton
    @Bean(preDestroy = "close")
    @Requires(condition = MilterEnabled.class)
    MilterServer milterServer(AgentConfig config, MilterService service, PolicyEventLoops loops, MeterRegistry registry) {
        MilterServer server = new MilterServer(config.milter().listen().orElseThrow(), config.milter().socketMode(), service, loops);
        Gauge.builder("vspam.milter.connections", server, MilterServer::openConnections)
                .description("milter connections open now (Postfix keeps one per SMTP session that reached DATA)")
                .register(registry);
        return server;
    }

    /**
     * Event loops for the policy server and the shared cache's Redis connection: half the cores.
     * One loop answers about 100k cached requests/s here, far beyond any MTA; more loops only compete with
     * Postfix on the same machine for CPU, which measurably stretches the latency tail (see the
     * benchmark in docs/benchmarks.md).
     */
    @Singleton
    @Bean(preDestroy = "close")
    PolicyEventLoops policyEventLoops() {
        return new PolicyEventLoops(Math.max(1, Runtime.getRuntime().availableProcessors() / 2));
    }

    /** The API gets half the decision deadline, so the DNSBL still has time to answer when it fails. */
    private static Duration apiTimeout(AgentConfig config) {
        return config.decisionTimeout().dividedBy(2);
    }

    /** The DNSBL gets what the API leaves, less a margin for the answer to travel back. */
    private static Duration dnsTimeout(AgentConfig config) {
        return config.decisionTimeout().multipliedBy(2).dividedBy(5);
    }

    /** The DNS servers the DNSBL is asked through, when it is enabled. */
    @Singleton
    @Bean(preDestroy = "close")
    @Requires(condition = DnsblEnabled.class)
    DnsblResolvers dnsblResolvers(AgentConfig config) {
        return new DnsblResolvers(config.dnsblResolvers(), dnsTimeout(config));
    }
}
