package org.vspam.agent.decision;

/** Told about every decision: metrics and the log of blocked senders listen here. */
@FunctionalInterface
public interface DecisionListener {

    void decided(String transport, Decision decision, long nanos);

    DecisionListener NONE = (transport, decision, nanos) -> { };
}
