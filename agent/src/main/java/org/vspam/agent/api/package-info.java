/**
 * The vspam.org REST API as a lookup source (SHA-256 lookups, SPEC §5): the envelope it answers
 * with and how that becomes a verdict.
 */
package org.vspam.agent.api;
