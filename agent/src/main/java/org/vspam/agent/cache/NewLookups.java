package org.vspam.agent.cache;

/**
 * Whether a lookup the local cache cannot answer may ask every source. A client's budget of such lookups
 * ({@code http_new_lookups_per_second}) keeps one noisy client of the HTTP API from spending the API quota of
 * everyone the agent serves; over it, the answer is what the cache tiers and the DNSBL know.
 */
@FunctionalInterface
public interface NewLookups {
    /** Every lookup may ask every source: Postfix and the milter, the agent's own clients. */
    NewLookups UNBOUNDED = () -> true;

    /** True when this lookup may ask every source, and counts against the budget. */
    boolean take();
}
