/**
 * The in-process verdict cache in front of the lookup chain: listed and clean answers kept for
 * cache_ttl, identical lookups in flight coalesced, and a snapshot at cache_path across restarts.
 */
package org.vspam.agent.cache;
