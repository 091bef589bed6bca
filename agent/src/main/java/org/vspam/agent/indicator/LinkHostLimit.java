package org.vspam.agent.indicator;

import java.util.HashSet;
import java.util.Set;

/**
 * The distinct link hosts of one message or one {@code /check}, at most {@code milter_max_urls} of them
 * looked up: a host met again is not taken twice, and those beyond the limit are counted, never looked
 * up. The one place the rule is kept, for the milter and the HTTP API alike.
 */
public final class LinkHostLimit {
    private final int max;
    private final Set<Indicator> taken = new HashSet<>();
    private final Set<Indicator> beyond = new HashSet<>();

    public LinkHostLimit(int max) {
        this.max = max;
    }

    /** True when {@code host} is new and within the limit: it is to be looked up. */
    public synchronized boolean take(Indicator host) {
        if (taken.contains(host)) {
            return false;
        }
        if (taken.size() >= max) {
            beyond.add(host);
            return false;
        }
        return taken.add(host);
    }

    /** The distinct hosts met beyond the limit. */
    public synchronized int beyond() {
        return beyond.size();
    }
}
