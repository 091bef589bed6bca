package org.vspam.agent.observe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.vspam.agent.indicator.Indicator;
import org.vspam.agent.lookup.Lookup;
import org.vspam.agent.lookup.LookupChain;
import org.vspam.agent.lookup.LookupSource;
import org.vspam.agent.lookup.Source;
import org.vspam.agent.testing.AgentHarness;
import org.vspam.agent.testing.LogCapture;
import org.vspam.agent.verdict.Verdict;

/**
 * A source marked failing that nothing asks any more (the API answers every lookup, so none goes on to the
 * DNSBL) is asked in the background until it answers, and then says so once; a source that is up is not asked.
 */
class SourceProbesTest {

    /** A DNSBL that fails until told otherwise, counting what it is asked. */
    private static final class Dnsbl implements LookupSource {
        final AtomicBoolean answering = new AtomicBoolean();
        final AtomicInteger asked = new AtomicInteger();

        @Override
        public Source source() {
            return Source.DNSBL;
        }

        @Override
        public CompletableFuture<Lookup> lookup(Indicator indicator) {
            asked.incrementAndGet();
            return CompletableFuture.completedFuture(answering.get() ? new Lookup.Answered(Source.DNSBL, Verdict.CLEAN)
                    : new Lookup.Skipped(Source.DNSBL, Lookup.Reason.TIMEOUT, "no answer within 800ms"));
        }
    }

    @Test
    void aFailingSourceIsProbedUntilItAnswersAndThenLeftAlone() {
        Dnsbl dnsbl = new Dnsbl();
        SourceHealth health = new SourceHealth(AgentHarness.config("api_url: \"\"\ndnsbl_zone: dnsbl.example.net\n"), new SimpleMeterRegistry(),
                System::nanoTime, Duration.ZERO);
        LookupChain chain = new LookupChain(List.of(dnsbl), List.of(health), Duration.ofMinutes(10), Clock.systemUTC());
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        try (LogCapture log = LogCapture.of(SourceHealth.class);
             SourceProbes probes = new SourceProbes(health, chain, timer, Duration.ofMillis(50))) {
            await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(1)).until(() -> dnsbl.asked.get() == 0);
            for (int i = 0; i < SourceHealth.FAILURES_IN_A_ROW; i++) {
                chain.lookup(Indicator.domain("sender" + i + ".example.org")).join();
            }
            assertThat(health.statuses().get(Source.DNSBL).state()).isEqualTo(SourceHealth.State.FAILING);

            int before = dnsbl.asked.get();
            await("probed while failing").atMost(Duration.ofSeconds(2)).until(() -> dnsbl.asked.get() >= before + 3);
            dnsbl.answering.set(true);
            await("up again, with nothing else asking it").atMost(Duration.ofSeconds(2))
                    .until(() -> health.statuses().get(Source.DNSBL).state() == SourceHealth.State.UP);
            int after = dnsbl.asked.get();
            await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(1)).until(() -> dnsbl.asked.get() == after);
            assertThat(log.lines()).filteredOn(line -> line.contains("answers again")).hasSize(1);
        } finally {
            timer.shutdownNow();
        }
    }
}
