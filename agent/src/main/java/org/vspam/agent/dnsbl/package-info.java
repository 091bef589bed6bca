/**
 * The vspam.org DNSBL as a lookup source (SPEC §6), asked through dnsjava with absolute names so
 * that a resolver's search list never multiplies the query.
 */
package org.vspam.agent.dnsbl;
