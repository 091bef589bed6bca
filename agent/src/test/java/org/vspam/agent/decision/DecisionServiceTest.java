package org.vspam.agent.decision;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micronaut.serde.ObjectMapper;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.vspam.agent.cache.Finding;
import org.vspam.agent.cache.VerdictCache;
import org.vspam.config.AgentConfigLoader;
import org.vspam.config.AllowList;
import org.vspam.agent.indicator.Indicator;
import org.vspam.agent.lookup.Lookup;
import org.vspam.agent.lookup.LookupChain;
import org.vspam.agent.lookup.LookupSource;
import org.vspam.agent.lookup.Source;
import org.vspam.agent.verdict.ThreatDetails;
import org.vspam.agent.verdict.Verdict;

/** The decision path with no sockets: sources are scripted. */
class DecisionServiceTest {
    private static final Verdict PHISHING = new Verdict.Listed("phishing_url", ThreatDetails.ofCategory("phishing_url"));
    private static final Indicator PHISH = Indicator.domain("phish.example.net");
    private static final Indicator CLEAN = Indicator.domain("clean.example.org");
    private static final Indicator LISTED_IP = Indicator.ip("203.0.113.66");

    /** A source answering from a script; indicators it does not know stay pending until released. */
    static final class ScriptedSource implements LookupSource {
        final Source source;
        final Map<Indicator, Lookup> answers = new ConcurrentHashMap<>();
        final Map<Indicator, CompletableFuture<Lookup>> pending = new ConcurrentHashMap<>();
        final AtomicInteger calls = new AtomicInteger();

        ScriptedSource(Source source) {
            this.source = source;
        }

        ScriptedSource answer(Indicator indicator, Verdict verdict) {
            answers.put(indicator, new Lookup.Answered(source, verdict));
            return this;
        }

        ScriptedSource fail(Indicator indicator) {
            answers.put(indicator, new Lookup.Skipped(source, Lookup.Reason.ERROR, "HTTP 500"));
            return this;
        }

        @Override
        public Source source() {
            return source;
        }

        @Override
        public CompletableFuture<Lookup> lookup(Indicator indicator) {
            calls.incrementAndGet();
            Lookup answer = answers.get(indicator);
            return answer != null ? CompletableFuture.completedFuture(answer) : pending.computeIfAbsent(indicator, i -> new CompletableFuture<>());
        }
    }

    /** The controls of a configuration with every default. */
    private static final Controls DEFAULTS = Controls.of(AgentConfigLoader.defaults(), AllowList.EMPTY);

    private final List<Decision> observed = new ArrayList<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();

    @AfterEach
    void stopTimer() {
        timer.shutdownNow();
    }

    private DecisionService service(Duration deadline, Duration ttl, LookupSource... sources) {
        LookupChain chain = new LookupChain(List.of(sources), List.of(), ttl, Clock.systemUTC());
        VerdictCache cache = new VerdictCache(chain, 1000, Optional.empty(), ObjectMapper.getDefault(), Clock.systemUTC());
        return new DecisionService(cache, deadline, timer, (transport, decision, nanos) -> observed.add(decision), () -> DEFAULTS);
    }

    /** The verdict that decided, clean when none did. */
    private static Verdict verdict(Decision decision) {
        return decision.outcome().listing().map(Listing::verdict).orElse(Verdict.CLEAN);
    }

    private static boolean refused(Decision decision) {
        return decision.outcome() instanceof Outcome.Refuse;
    }

    private static Finding.Answered decisive(Decision decision) {
        return decision.outcome().listing().orElseThrow().finding();
    }

    @Test
    void aListedSenderDecides() {
        ScriptedSource api = new ScriptedSource(Source.API).answer(PHISH, PHISHING).answer(LISTED_IP, Verdict.CLEAN);
        Decision decision = service(Duration.ofSeconds(1), Duration.ofMinutes(10), api).decide(MailQuery.of(List.of(PHISH, LISTED_IP)), Transport.CLI).join();

        assertThat(verdict(decision)).isEqualTo(PHISHING);
        assertThat(decisive(decision).indicator()).isEqualTo(PHISH);
        assertThat(decisive(decision).source()).isEqualTo(Source.API);
        assertThat(decision.failedOpen()).isFalse();
        assertThat(observed).containsExactly(decision);
    }

    @Test
    void theFirstSourceWithAnAnswerWinsAndLaterSourcesAreNotAsked() {
        ScriptedSource api = new ScriptedSource(Source.API).answer(CLEAN, Verdict.CLEAN);
        ScriptedSource dnsbl = new ScriptedSource(Source.DNSBL).answer(CLEAN, PHISHING);
        Decision decision = service(Duration.ofSeconds(1), Duration.ofMinutes(10), api, dnsbl).decide(MailQuery.of(List.of(CLEAN)), Transport.CLI).join();

        assertThat(verdict(decision)).isEqualTo(Verdict.CLEAN);
        assertThat(dnsbl.calls).hasValue(0);
    }

    @Test
    void theDnsblAnswersWhenTheApiFails() {
        ScriptedSource api = new ScriptedSource(Source.API).fail(PHISH);
        ScriptedSource dnsbl = new ScriptedSource(Source.DNSBL).answer(PHISH, PHISHING);
        Decision decision = service(Duration.ofSeconds(1), Duration.ofMinutes(10), api, dnsbl).decide(MailQuery.of(List.of(PHISH)), Transport.CLI).join();

        assertThat(refused(decision)).isTrue();
        assertThat(decisive(decision).source()).isEqualTo(Source.DNSBL);
    }

    @Test
    void everySourceFailingIsAllowAndCountsAsFailOpen() {
        ScriptedSource api = new ScriptedSource(Source.API).fail(PHISH);
        ScriptedSource dnsbl = new ScriptedSource(Source.DNSBL).fail(PHISH);
        DecisionService service = service(Duration.ofSeconds(1), Duration.ofMinutes(10), api, dnsbl);

        Decision decision = service.decide(MailQuery.of(List.of(PHISH)), Transport.CLI).join();
        assertThat(verdict(decision)).isEqualTo(Verdict.CLEAN);
        assertThat(decision.failedOpen()).isTrue();

        service.decide(MailQuery.of(List.of(PHISH)), Transport.CLI).join();
        assertThat(api.calls).as("errors are never cached").hasValue(2);
    }

    @Test
    void answersAreCachedForTheTtl() {
        ScriptedSource api = new ScriptedSource(Source.API).answer(PHISH, PHISHING).answer(CLEAN, Verdict.CLEAN);
        DecisionService service = service(Duration.ofSeconds(1), Duration.ofMillis(300), api);

        service.decide(MailQuery.of(List.of(PHISH, CLEAN)), Transport.CLI).join();
        Decision second = service.decide(MailQuery.of(List.of(PHISH, CLEAN)), Transport.CLI).join();
        assertThat(api.calls).as("listed and clean answers both cached").hasValue(2);
        assertThat(decisive(second).source()).isEqualTo(Source.LOCAL_CACHE);

        await().atMost(Duration.ofSeconds(3)).untilAsserted(() -> {
            service.decide(MailQuery.of(List.of(CLEAN)), Transport.CLI).join();
            assertThat(api.calls).as("asked again once the TTL passed").hasValueGreaterThan(2);
        });
    }

    @Test
    void identicalLookupsInFlightCostOneUpstreamCall() {
        ScriptedSource api = new ScriptedSource(Source.API);
        DecisionService service = service(Duration.ofSeconds(5), Duration.ofMinutes(10), api);

        List<CompletableFuture<Decision>> decisions = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            decisions.add(service.decide(MailQuery.of(List.of(PHISH)), Transport.CLI));
        }
        assertThat(api.calls).hasValue(1);
        api.pending.get(PHISH).complete(new Lookup.Answered(Source.API, PHISHING));

        assertThat(decisions).allSatisfy(decision -> assertThat(refused(decision.join())).isTrue());
        assertThat(api.calls).hasValue(1);
    }

    @Test
    void whenTheDeadlinePassesTheAnswerIsAllow() {
        ScriptedSource api = new ScriptedSource(Source.API); // never answers
        DecisionService service = service(Duration.ofMillis(200), Duration.ofMinutes(10), api);

        long started = System.nanoTime();
        Decision decision = service.decide(MailQuery.of(List.of(PHISH)), Transport.CLI).join();
        long elapsedMillis = (System.nanoTime() - started) / 1_000_000;

        assertThat(verdict(decision)).isEqualTo(Verdict.CLEAN);
        assertThat(decision.failedOpen()).isTrue();
        assertThat(elapsedMillis).as("decided at the deadline, not later").isBetween(150L, 1500L);
    }

    @Test
    void theCallersSchedulerKeepsTheDeadline() {
        ScheduledExecutorService callers = Executors.newSingleThreadScheduledExecutor(task -> new Thread(task, "callers-event-loop"));
        try {
            DecisionService service = service(Duration.ofMillis(500), Duration.ofMinutes(10), new ScriptedSource(Source.API));

            String decidedOn = service.decide(MailQuery.of(List.of(PHISH)), Transport.CLI, callers).thenApply(decision -> Thread.currentThread().getName()).join();

            assertThat(decidedOn).as("the deadline fired on the caller's scheduler, not the service's").isEqualTo("callers-event-loop");
        } finally {
            callers.shutdownNow();
        }
    }

    @Test
    void aDecisionBeforeTheDeadlineCancelsItsTimer() {
        ScheduledThreadPoolExecutor callers = new ScheduledThreadPoolExecutor(1);
        callers.setRemoveOnCancelPolicy(true);
        try {
            ScriptedSource api = new ScriptedSource(Source.API);
            DecisionService service = service(Duration.ofMinutes(5), Duration.ofMinutes(10), api);

            CompletableFuture<Decision> decision = service.decide(MailQuery.of(List.of(PHISH)), Transport.CLI, callers);
            assertThat(callers.getQueue()).as("a deadline is pending while the lookup is").hasSize(1);
            api.pending.get(PHISH).complete(new Lookup.Answered(Source.API, PHISHING));

            assertThat(refused(decision.join())).isTrue();
            assertThat(callers.getQueue()).as("nothing left behind for five minutes").isEmpty();
        } finally {
            callers.shutdownNow();
        }
    }

    @Test
    void aListedClientStillDecidesWhenTheSenderLookupMissesTheDeadline() {
        ScriptedSource api = new ScriptedSource(Source.API).answer(LISTED_IP, new Verdict.Listed("spam_source", ThreatDetails.ofCategory("spam_source")));
        Decision decision = service(Duration.ofMillis(200), Duration.ofMinutes(10), api).decide(MailQuery.of(List.of(PHISH, LISTED_IP)), Transport.CLI).join();

        assertThat(refused(decision)).isTrue();
        assertThat(decisive(decision).indicator()).isEqualTo(LISTED_IP);
    }

    @Test
    void theSenderDomainDecidesBeforeTheClientIp() {
        Verdict spam = new Verdict.Listed("spam_source", ThreatDetails.ofCategory("spam_source"));
        ScriptedSource api = new ScriptedSource(Source.API).answer(LISTED_IP, spam);
        DecisionService service = service(Duration.ofSeconds(5), Duration.ofMinutes(10), api);

        CompletableFuture<Decision> decision = service.decide(MailQuery.of(List.of(PHISH, LISTED_IP)), Transport.CLI);
        assertThat(decision).as("waits for the sender, which comes first").isNotDone();
        api.pending.get(PHISH).complete(new Lookup.Answered(Source.API, PHISHING));

        assertThat(decisive(decision.join()).indicator()).isEqualTo(PHISH);
    }

    @Test
    void suspiciousIsAllowedButReported() {
        Verdict suspicious = new Verdict.Suspicious("phishing_url", ThreatDetails.ofCategory("phishing_url"));
        ScriptedSource api = new ScriptedSource(Source.API).answer(PHISH, suspicious).answer(LISTED_IP, Verdict.CLEAN);
        Decision decision = service(Duration.ofSeconds(1), Duration.ofMinutes(10), api).decide(MailQuery.of(List.of(PHISH, LISTED_IP)), Transport.CLI).join();

        assertThat(verdict(decision)).isEqualTo(suspicious);
        assertThat(refused(decision)).isFalse();
    }

    @Test
    void nothingToCheckIsAllow() {
        Decision decision = service(Duration.ofSeconds(1), Duration.ofMinutes(10)).decide(MailQuery.of(List.of()), Transport.CLI).join();
        assertThat(verdict(decision)).isEqualTo(Verdict.CLEAN);
        assertThat(decision.failedOpen()).isFalse();
    }

    @Test
    void aSourceThatThrowsIsTreatedAsAnError() {
        LookupSource broken = new LookupSource() {
            @Override
            public Source source() {
                return Source.API;
            }

            @Override
            public CompletableFuture<Lookup> lookup(Indicator indicator) {
                throw new IllegalStateException("bug");
            }
        };
        ScriptedSource dnsbl = new ScriptedSource(Source.DNSBL).answer(PHISH, PHISHING);
        assertThat(service(Duration.ofSeconds(1), Duration.ofMinutes(10), broken, dnsbl).decide(MailQuery.of(List.of(PHISH)), Transport.CLI).join().outcome()).isInstanceOf(Outcome.Refuse.class);
    }
}
