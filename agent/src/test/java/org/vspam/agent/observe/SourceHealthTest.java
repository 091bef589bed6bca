package org.vspam.agent.observe;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.vspam.agent.indicator.Indicator;
import org.vspam.agent.lookup.Lookup;
import org.vspam.agent.lookup.LookupChain;
import org.vspam.agent.lookup.Source;
import org.vspam.agent.testing.AgentHarness;
import org.vspam.agent.testing.LogCapture;
import org.vspam.agent.verdict.Verdict;

/** One line when a source starts failing, one when it answers again; never one per lookup. */
class SourceHealthTest {
    private static final Indicator SENDER = Indicator.domain("example.com");
    private final AtomicLong now = new AtomicLong();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final LogCapture log = LogCapture.of(SourceHealth.class);
    private final SourceHealth health = new SourceHealth(AgentHarness.config("api_url: https://api.vspam.org\ndnsbl_zone: dnsbl.example.net\n"),
            registry, now::get, Duration.ofSeconds(10));

    @AfterEach
    void stop() {
        log.close();
    }

    private void api(Lookup lookup) {
        health.looked(SENDER, new LookupChain.Step(lookup, 1_000));
    }

    private static Lookup failure() {
        return new Lookup.Skipped(Source.API, Lookup.Reason.ERROR, "HTTP 401 Unauthorized — check api_key");
    }

    private double gauge(Source source) {
        return registry.get("vspam.source.up").tag("source", source.label()).gauge().value();
    }

    @Test
    void aSourceThatKeepsFailingIsLoggedOnceAndItsRecoveryOnce() {
        for (int i = 0; i < 1_000; i++) {
            api(failure());
        }
        assertThat(log.lines()).containsExactly("WARN vspam.org API https://api.vspam.org unavailable: HTTP 401 Unauthorized — check api_key "
                + "(3 lookups in a row failed); lookups go on to the next source, and mail that nothing could check is allowed");
        assertThat(health.statuses().get(Source.API)).isEqualTo(new SourceHealth.Status(SourceHealth.State.FAILING,
                "HTTP 401 Unauthorized — check api_key"));
        assertThat(gauge(Source.API)).isZero();
        assertThat(gauge(Source.DNSBL)).as("a source nobody reported on is not failing").isEqualTo(1.0);

        now.addAndGet(Duration.ofSeconds(42).toNanos());
        for (int i = 0; i < 1_000; i++) {
            api(new Lookup.Answered(Source.API, Verdict.CLEAN));
        }
        assertThat(log.lines()).hasSize(2).last().isEqualTo("INFO vspam.org API https://api.vspam.org answers again (after 42s failing)");
        assertThat(health.statuses().get(Source.API).state()).isEqualTo(SourceHealth.State.UP);
        assertThat(gauge(Source.API)).isEqualTo(1.0);
    }

    @Test
    void aSingleFailureAmongAnswersIsNoOutage() {
        api(new Lookup.Answered(Source.API, Verdict.CLEAN));
        for (int i = 0; i < 100; i++) {
            api(failure());
            api(failure());
            api(new Lookup.Answered(Source.API, Verdict.CLEAN));
        }
        assertThat(log.lines()).isEmpty();
        assertThat(health.statuses().get(Source.API).state()).isEqualTo(SourceHealth.State.UP);
    }

    @Test
    void aFlappingSourceCostsAtMostTwoLinesPerDwell() {
        for (int round = 0; round < 100; round++) {
            now.addAndGet(Duration.ofSeconds(1).toNanos());
            api(failure());
            api(failure());
            api(failure());
            api(new Lookup.Answered(Source.API, Verdict.CLEAN));
        }
        // 100 s of flapping, failing kept for at least 10 s: at most 20 lines, not 200
        assertThat(log.lines()).hasSizeBetween(2, 20);
    }

    @Test
    void missesAndDisabledSourcesSayNothingAboutHealth() {
        for (int i = 0; i < 10; i++) {
            api(new Lookup.Skipped(Source.API, Lookup.Reason.MISS, ""));
        }
        assertThat(health.statuses().get(Source.API).state()).isEqualTo(SourceHealth.State.UNKNOWN);
        assertThat(log.lines()).isEmpty();
    }
}
