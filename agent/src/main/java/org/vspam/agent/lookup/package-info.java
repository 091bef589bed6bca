/**
 * The lookup chain: sources (shared cache, vspam.org API, DNSBL) that each answer "decided" or
 * "go on", asked in order until one decides.
 */
package org.vspam.agent.lookup;
