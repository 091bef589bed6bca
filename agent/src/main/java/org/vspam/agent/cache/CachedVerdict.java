package org.vspam.agent.cache;

import org.vspam.agent.lookup.Source;
import org.vspam.agent.verdict.Verdict;

/** A verdict in the cache: what was said, by which source, and until when it holds. */
public record CachedVerdict(Verdict verdict, Source origin, long expiresAtMillis) {

    long remainingMillis(long nowMillis) {
        return Math.max(0, expiresAtMillis - nowMillis);
    }
}
