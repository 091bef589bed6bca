/**
 * The shared verdict tier: Redis through Lettuce, behind a circuit breaker, so that every agent pod
 * profits from what one learned and a bad day for Redis costs only the sharing.
 */
package org.vspam.agent.shared;
