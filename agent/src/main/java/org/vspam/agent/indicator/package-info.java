/**
 * What gets looked up: a sender domain, a client IP or a URL's host, normalized once (SPEC §4) so
 * that cache keys, API hashes and DNSBL names all agree.
 */
package org.vspam.agent.indicator;
