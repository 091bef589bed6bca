package org.vspam.agent.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.micronaut.serde.ObjectMapper;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.vspam.agent.cache.VerdictCache;
import org.vspam.agent.decision.Controls;
import org.vspam.agent.decision.DecisionService;
import org.vspam.agent.indicator.Indicator;
import org.vspam.agent.lookup.Lookup;
import org.vspam.agent.lookup.LookupChain;
import org.vspam.agent.lookup.LookupSource;
import org.vspam.agent.lookup.Source;
import org.vspam.agent.testing.AgentHarness;
import org.vspam.agent.verdict.Verdict;
import org.vspam.config.AllowList;

/** A request is told with the texts of the controls that decided it, even when a reload replaced them before it was told. */
class PolicyRepliesTest {

    @Test
    void aReloadBetweenTheDecisionAndItsAnswerDoesNotLendTheAnswerTheNewTexts() throws Exception {
        Controls before = Controls.of(AgentHarness.config("reject_message: \"550 5.7.1 refused under the old texts\"\n"), AllowList.EMPTY);
        Controls after = Controls.of(AgentHarness.config("reject_message: \"550 5.7.1 refused under the new texts\"\n"), AllowList.EMPTY);
        AtomicInteger asked = new AtomicInteger();
        LookupSource listing = new LookupSource() {
            @Override
            public Source source() {
                return Source.API;
            }

            @Override
            public CompletableFuture<Lookup> lookup(Indicator indicator) {
                return CompletableFuture.completedFuture(new Lookup.Answered(Source.API, new Verdict.Listed("phishing_url", null)));
            }
        };
        VerdictCache cache = new VerdictCache(new LookupChain(List.of(listing), List.of(), Duration.ofMinutes(10), Clock.systemUTC()), 100,
                Optional.empty(), ObjectMapper.getDefault(), Clock.systemUTC());
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        try {
            // the first read of the controls is the decision's; any later one finds the reloaded controls
            DecisionService decisions = new DecisionService(cache, Duration.ofSeconds(1), timer, (transport, decision, nanos) -> { },
                    () -> asked.getAndIncrement() == 0 ? before : after);
            PolicyAction action = new PolicyService(decisions, address -> { })
                    .answer(new PolicyRequest("smtpd_access_policy", "a@phish.example.net", "u@example.org", "192.0.2.1", "", null), timer).join();
            assertThat(action.wireText()).isEqualTo("action=550 5.7.1 refused under the old texts\n\n");
        } finally {
            timer.shutdownNow();
        }
    }
}
