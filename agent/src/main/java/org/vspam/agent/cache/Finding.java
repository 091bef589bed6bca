package org.vspam.agent.cache;

import org.vspam.agent.indicator.Indicator;
import org.vspam.agent.lookup.Source;

/** What the cache, or the chain behind it, knows about one indicator. */
public sealed interface Finding {

    Indicator indicator();

    /** A source answered; {@code source} is where this answer was found now (the local cache, or {@code verdict}'s origin). */
    record Answered(Indicator indicator, CachedVerdict verdict, Source source) implements Finding {
    }

    /** No source could answer: the indicator stays unchecked. */
    record Unanswered(Indicator indicator) implements Finding {
    }

    static Finding cached(Indicator indicator, CachedVerdict verdict) {
        return new Answered(indicator, verdict, Source.LOCAL_CACHE);
    }

    static Finding of(Indicator indicator, CachedVerdict verdict) {
        return new Answered(indicator, verdict, verdict.origin());
    }
}
