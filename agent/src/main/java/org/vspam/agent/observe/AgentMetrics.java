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
import java.util.List;
import org.vspam.agent.cache.Finding;
import org.vspam.agent.decision.Decision;
import org.vspam.agent.decision.DecisionListener;
import org.vspam.agent.decision.Outcome;
import org.vspam.agent.decision.Transport;
import org.vspam.config.Action;
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
    private static final String[] VERDICTS = {"listed", "suspicious", "clean", "allowed", "skipped"};
    private static final String[] OUTCOMES = {"hit", "miss", "listed", "suspicious", "clean", "disabled", "error", "timeout"};

    private final MeterRegistry registry;
    private final Map<Transport, TransportMeters> transports = new EnumMap<>(Transport.class);
    private final Map<Source, SourceMeters> sources = new EnumMap<>(Source.class);
    /** The local tier's hits and misses, counted per decision: kept at hand rather than looked up per request. */
    private final Counter localHits;
    private final Counter localMisses;

    public AgentMetrics(MeterRegistry registry) {
        this.registry = registry;
        for (Source source : Source.values()) {
            sources.put(source, new SourceMeters(source));
        }
        for (Transport transport : Transport.values()) {
            transports.put(transport, new TransportMeters(transport));
        }
        localHits = sources.get(Source.LOCAL_CACHE).outcomes.get("hit");
        localMisses = sources.get(Source.LOCAL_CACHE).outcomes.get("miss");
        ResidentMemory.register(registry);
    }

    @Override
    public void decided(Transport transport, Decision decision, long nanos) {
        TransportMeters meters = transports.get(transport);
        meters.decisions.get(verdict(decision.outcome().why())).increment();
        meters.actions.get(decision.outcome().word()).increment();
        if (decision.outcome() instanceof Outcome.Tag tag && tag.withheld().isPresent()) {
            meters.withheld.get(tag.withheld().get()).increment();
        }
        meters.duration.record(nanos, TimeUnit.NANOSECONDS);
        if (decision.failedOpen()) {
            meters.failOpen.increment();
        }
        for (Finding finding : decision.findings()) {
            boolean hit = finding instanceof Finding.Answered answered && answered.source() == Source.LOCAL_CACHE;
            (hit ? localHits : localMisses).increment();
        }
    }

    /** The {@code verdict} label: what was found, or why nothing was looked up. */
    private static String verdict(Outcome.Why why) {
        return switch (why) {
            case Outcome.Why.Listed listed -> listed.listing().verdict().label();
            case Outcome.Why.AllowedByList allowed -> "allowed";
            case Outcome.Why.Authenticated authenticated -> "skipped";
            case Outcome.Why.Unchecked unchecked -> "clean";
            case Outcome.Why.Clean clean -> "clean";
        };
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
        final Map<Outcome.Word, Counter> actions = new EnumMap<>(Outcome.Word.class);
        final Map<Action, Counter> withheld = new EnumMap<>(Action.class);
        final Counter failOpen;
        final Timer duration;

        TransportMeters(Transport transport) {
            for (String verdict : VERDICTS) {
                decisions.put(verdict, Counter.builder("vspam.decisions").description("Decisions by transport and verdict")
                        .tag("transport", transport.label()).tag("verdict", verdict).register(registry));
            }
            for (Outcome.Word word : Outcome.Word.values()) {
                actions.put(word, Counter.builder("vspam.actions").description("Answers by transport and action (reject, defer, tag, allow)")
                        .tag("transport", transport.label()).tag("action", word.label()).register(registry));
            }
            for (Action action : List.of(Action.REJECT, Action.DEFER)) {
                withheld.put(action, Counter.builder("vspam.monitor.withheld")
                        .description("Refusals monitor mode did not carry out (the mail was tagged instead), by the action enforce would take")
                        .tag("transport", transport.label()).tag("action", action.word()).register(registry));
            }
            failOpen = Counter.builder("vspam.fail.open").description("Requests allowed only because something could not be checked")
                    .tag("transport", transport.label()).register(registry);
            duration = timer("vspam.decision.duration", "Time to decide one request", "transport", transport.label());
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
