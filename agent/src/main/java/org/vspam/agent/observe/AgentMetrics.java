package org.vspam.agent.observe;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.inject.Singleton;
import java.time.Duration;
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
 * Meters are looked up once per label combination and kept, off the registry's slower path.
 */
@Singleton
public final class AgentMetrics implements DecisionListener, LookupListener {
    private final MeterRegistry registry;
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();
    private final Map<String, Timer> timers = new ConcurrentHashMap<>();

    public AgentMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void decided(String transport, Decision decision, long nanos) {
        counter("vspam.decisions", "Decisions by transport and verdict", "transport", transport, "verdict", decision.verdict().label()).increment();
        timer("vspam.decision.duration", "Time to decide one request", "transport", transport).record(nanos, TimeUnit.NANOSECONDS);
        if (decision.failedOpen()) {
            counter("vspam.fail.open", "Requests allowed only because something could not be checked", "transport", transport, null, null).increment();
        }
        for (Finding finding : decision.findings()) {
            if (finding.source() == Source.LOCAL_CACHE) {
                lookup(Source.LOCAL_CACHE, "hit");
            } else {
                lookup(Source.LOCAL_CACHE, "miss");
            }
        }
    }

    @Override
    public void looked(Indicator indicator, LookupChain.Step step) {
        Source source = step.lookup().source();
        lookup(source, step.lookup().outcome());
        timer("vspam.lookup.duration", "Time one source took to answer", "source", source.label()).record(step.nanos(), TimeUnit.NANOSECONDS);
    }

    private void lookup(Source source, String outcome) {
        counter("vspam.lookups", "Lookups by source and outcome", "source", source.label(), "outcome", outcome).increment();
    }

    private Counter counter(String name, String help, String key1, String value1, String key2, String value2) {
        return counters.computeIfAbsent(name + '|' + value1 + '|' + value2, ignored -> {
            Counter.Builder builder = Counter.builder(name).description(help).tag(key1, value1);
            if (key2 != null) {
                builder.tag(key2, value2);
            }
            return builder.register(registry);
        });
    }

    private Timer timer(String name, String help, String key, String value) {
        return timers.computeIfAbsent(name + '|' + value, ignored -> Timer.builder(name).description(help).tag(key, value)
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1).dividedBy(100))
                .maximumExpectedValue(Duration.ofSeconds(10))
                .register(registry));
    }
}
