package org.vspam.agent.testing;

import io.micronaut.serde.ObjectMapper;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.vspam.agent.cache.VerdictCache;
import org.vspam.agent.decision.Controls;
import org.vspam.agent.decision.DecisionService;
import org.vspam.agent.indicator.Indicator;
import org.vspam.agent.lookup.Lookup;
import org.vspam.agent.lookup.LookupChain;
import org.vspam.agent.lookup.LookupSource;
import org.vspam.agent.lookup.Source;
import org.vspam.config.AgentConfig;
import org.vspam.config.AllowList;

/**
 * A decision that fails by the agent's own fault, not a source's: its deadline cannot be kept, the timer that keeps it being
 * gone (as when an agent stops with a request in flight) while the one source has not answered. Under {@code failure_action:
 * defer}, the answer every transport must give is a deferral.
 */
public final class FailingDecisions {
    /** The timer whose deadlines cannot be kept: shut down. */
    public static final ScheduledExecutorService GONE = gone();

    private FailingDecisions() {
    }

    private static ScheduledExecutorService gone() {
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        timer.shutdown();
        return timer;
    }

    /** The decision service of an agent with {@code failure_action: defer}, whose decisions fail. */
    public static DecisionService underDefer() {
        AgentConfig config = AgentHarness.config("failure_action: defer\ndnsbl_enabled: false\n");
        LookupSource silent = new LookupSource() {
            @Override
            public Source source() {
                return Source.API;
            }

            @Override
            public CompletableFuture<Lookup> lookup(Indicator indicator) {
                return new CompletableFuture<>();
            }
        };
        LookupChain chain = new LookupChain(List.of(silent), List.of(), Duration.ofMinutes(10), Clock.systemUTC());
        VerdictCache cache = new VerdictCache(chain, 100, Optional.empty(), ObjectMapper.getDefault(), Clock.systemUTC());
        return new DecisionService(cache, Duration.ofMillis(500), GONE, (transport, decision, nanos) -> { },
                () -> Controls.of(config, AllowList.EMPTY));
    }
}
