package org.vspam.operator;

import java.util.concurrent.atomic.AtomicReference;

/** Where this replica stands in the leader election; health reports a lost lease. */
public final class Leadership {

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
