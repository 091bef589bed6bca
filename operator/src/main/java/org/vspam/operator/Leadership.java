package org.vspam.operator;

import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;

/** Where this replica stands in the leader election; health reports a lost lease. */
public final class Leadership {
    /** This replica's name in the Lease: the pod's name (HOSTNAME), as JOSDK would choose it, or a random one. */
    private final String identity = Optional.ofNullable(System.getenv("HOSTNAME")).filter(name -> !name.isBlank())
            .orElseGet(() -> "vspam-operator-" + UUID.randomUUID());

    public String identity() {
        return identity;
    }

    /** A replica starts as a candidate; only the leader reconciles. */
    public enum State {
        CANDIDATE, LEADING, LOST
    }

    private final AtomicReference<State> state = new AtomicReference<>(State.CANDIDATE);

    public State state() {
        return state.get();
    }

    void leading() {
        state.set(State.LEADING);
    }

    void lost() {
        state.compareAndSet(State.LEADING, State.LOST);
    }
}
