package org.vspam.agent.lookup;

import org.vspam.agent.indicator.Indicator;

/** A source that also keeps answers: the chain writes every later source's answer back into it. */
public interface CacheTier extends LookupSource {

    /** Stores an answer until {@code expiresAtMillis}; never blocks and never fails the caller. */
    void store(Indicator indicator, Lookup.Answered answer, long expiresAtMillis);
}
