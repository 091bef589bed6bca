package org.vspam.agent.observe;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.vspam.agent.cache.VerdictCache.Finding;
import org.vspam.agent.decision.Decision;
import org.vspam.agent.decision.DecisionListener;
import org.vspam.agent.indicator.Indicator;
import org.vspam.agent.lookup.LookupChain;
import org.vspam.agent.lookup.LookupListener;
import org.vspam.agent.lookup.Source;

/**
 * Decisions, lookups per source and fail-open answers as Prometheus metrics. Label values come
 * from fixed sets (transports, verdicts, sources, outcomes), never from a domain, an IP or a key.
 * Meters are registered once per label combination and kept: recording one is then only an add.
 */
@Singleton
public final class AgentMetrics implements DecisionListener, LookupListener {
    private static final String[] VERDICTS = {"listed", "suspicious", "clean"};
    private static final String[] OUTCOMES = {"hit", "miss", "listed", "suspicious", "clean", "disabled", "error", "timeout"};

    private final MeterRegistry registry;
    private final Map<String, TransportMeters> transports = new ConcurrentHashMap<>();
    private final Map<Source, SourceMeters> sources = new EnumMap<>(Source.class);

    public AgentMetrics(MeterRegistry registry) {
        this.registry = registry;
        for (Source source : Source.values()) {
            sources.put(source, new SourceMeters(source));
        }
    }

    @Override
    public void decided(String transport, Decision decision, long nanos) {
        TransportMeters meters = transports.computeIfAbsent(transport, TransportMeters::new);
        meters.decisions.get(decision.verdict().label()).increment();
        meters.duration.record(nanos, TimeUnit.NANOSECONDS);
        if (decision.failedOpen()) {
            meters.failOpen.increment();
        }
        SourceMeters local = sources.get(Source.LOCAL_CACHE);
        for (Finding finding : decision.findings()) {
            local.outcomes.get(finding.source() == Source.LOCAL_CACHE ? "hit" : "miss").increment();
        }
    }

    @Override
    public void looked(Indicator indicator, LookupChain.Step step) {
        SourceMeters meters = sources.get(step.lookup().source());
        meters.outcomes.get(step.lookup().outcome()).increment();
        meters.duration.record(step.nanos(), TimeUnit.NANOSECONDS);
    }

    private Timer timer(String name, String help, String key, String value) {
        return Timer.builder(name).description(help).tag(key, value)
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofNanos(10_000))
                .maximumExpectedValue(Duration.ofSeconds(10))
                .register(registry);
    }

    /** The meters of one transport (policy, http, cli). */
    private final class TransportMeters {
        final Map<String, Counter> decisions = new ConcurrentHashMap<>();
        final Counter failOpen;
        final Timer duration;

        TransportMeters(String transport) {
            for (String verdict : VERDICTS) {
                decisions.put(verdict, Counter.builder("vspam.decisions").description("Decisions by transport and verdict")
                        .tag("transport", transport).tag("verdict", verdict).register(registry));
            }
            failOpen = Counter.builder("vspam.fail.open").description("Requests allowed only because something could not be checked")
                    .tag("transport", transport).register(registry);
            duration = timer("vspam.decision.duration", "Time to decide one request", "transport", transport);
        }
    }

    /** The meters of one lookup source. */
    private final class SourceMeters {
        final Map<String, Counter> outcomes = new ConcurrentHashMap<>();
        final Timer duration;

        SourceMeters(Source source) {
            for (String outcome : OUTCOMES) {
                outcomes.put(outcome, Counter.builder("vspam.lookups").description("Lookups by source and outcome")
                        .tag("source", source.label()).tag("outcome", outcome).register(registry));
            }
            duration = timer("vspam.lookup.duration", "Time one source took to answer", "source", source.label());
        }
    }
}
