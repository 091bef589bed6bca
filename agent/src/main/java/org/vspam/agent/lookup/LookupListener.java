package org.vspam.agent.lookup;

import org.vspam.agent.indicator.Indicator;

/** Told about every step of every chain run: metrics and tier write-back listen here. */
@FunctionalInterface
public interface LookupListener {

    void looked(Indicator indicator, LookupChain.Step step);
}
