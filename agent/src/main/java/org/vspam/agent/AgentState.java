package org.vspam.agent;

import jakarta.inject.Singleton;
import java.util.concurrent.atomic.AtomicReference;

/** Whether the agent is serving: health checks answer 200 only while it is. */
@Singleton
public final class AgentState {

    /** The agent's life cycle, as health checks report it. */
    public enum Phase {
        STARTING, SERVING, DRAINING
    }

    private final AtomicReference<Phase> phase = new AtomicReference<>(Phase.STARTING);

    public Phase phase() {
        return phase.get();
    }

    void serving() {
        phase.set(Phase.SERVING);
    }

    void draining() {
        phase.set(Phase.DRAINING);
    }
}
