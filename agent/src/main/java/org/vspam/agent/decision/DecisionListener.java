package org.vspam.agent.decision;

/** Told about every decision: metrics, the log of refused senders and the reporter listen here. */
@FunctionalInterface
public interface DecisionListener {

    void decided(Transport transport, Decision decision, long nanos);

    DecisionListener NONE = (transport, decision, nanos) -> { };
}
