package org.vspam.agent.lookup;

import java.util.concurrent.CompletableFuture;
import org.vspam.agent.indicator.Indicator;

/**
 * One place that can know about an indicator. Implementations never complete exceptionally and
 * never block the caller: trouble is a {@link Lookup.Skipped} with reason {@code ERROR} or {@code TIMEOUT}.
 */
public interface LookupSource {

    Source source();

    CompletableFuture<Lookup> lookup(Indicator indicator);
}
