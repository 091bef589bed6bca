package org.vspam.agent.observe;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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

/** One line when a source starts failing, one when it answers again, once a minute while it flaps; never one per lookup. */
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
    void aFlappingSourceIsToldOnceAMinuteWithTheCountAndOnceWhenStableWhileItsStateStaysExact() {
        List<String> states = new ArrayList<>();
        for (int round = 0; round < 60; round++) { // a minute: failing for 11 s (beyond the dwell), then answering for 1 s
            for (int second = 0; second < 11; second++) {
                now.addAndGet(Duration.ofSeconds(1).toNanos());
                api(failure());
                api(failure());
                api(failure());
                health.tick();
            }
            states.add(health.statuses().get(Source.API).state().label() + gauge(Source.API));
            now.addAndGet(Duration.ofSeconds(1).toNanos());
            api(new Lookup.Answered(Source.API, Verdict.CLEAN));
            health.tick();
            states.add(health.statuses().get(Source.API).state().label() + gauge(Source.API));
            if (now.get() >= Duration.ofSeconds(60).toNanos()) {
                break;
            }
        }
        assertThat(states).as("the state and vspam_source_up follow every flap").containsSequence("failing0.0", "up1.0", "failing0.0", "up1.0");
        assertThat(log.lines()).as("the first minute: the outage and the recovery").hasSize(2);
        assertThat(log.lines().get(0)).startsWith("WARN vspam.org API https://api.vspam.org unavailable");
        assertThat(log.lines().get(1)).startsWith("INFO vspam.org API https://api.vspam.org answers again");

        now.addAndGet(Duration.ofSeconds(1).toNanos());
        health.tick(); // a minute after the outage's line: how often it went down since
        assertThat(log.lines()).hasSize(3).last().isEqualTo("WARN vspam.org API https://api.vspam.org flapping: down 4 times in the last 1m, "
                + "answering now; told once a minute until it has answered for 1m");

        for (int second = 0; second < 11; second++) { // once more down, beyond the dwell, then answering for good
            now.addAndGet(Duration.ofSeconds(1).toNanos());
            api(failure());
            api(failure());
            api(failure());
            health.tick();
        }
        api(new Lookup.Answered(Source.API, Verdict.CLEAN));
        assertThat(health.statuses().get(Source.API).state()).isEqualTo(SourceHealth.State.UP);
        for (int second = 0; second < 59; second++) {
            now.addAndGet(Duration.ofSeconds(1).toNanos());
            api(new Lookup.Answered(Source.API, Verdict.CLEAN));
            health.tick();
        }
        assertThat(log.lines()).as("answering for less than a minute: still flapping, the one outage since counted").hasSize(4)
                .last().isEqualTo("WARN vspam.org API https://api.vspam.org flapping: down 1 time in the last 1m, answering now; "
                        + "told once a minute until it has answered for 1m");
        now.addAndGet(Duration.ofSeconds(1).toNanos());
        health.tick();
        assertThat(log.lines()).hasSize(5).last().isEqualTo("INFO vspam.org API https://api.vspam.org stable again: answering for 1m "
                + "after flapping for 1m (6 outages)");
        health.tick();
        assertThat(log.lines()).as("stable: nothing more").hasSize(5);
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
