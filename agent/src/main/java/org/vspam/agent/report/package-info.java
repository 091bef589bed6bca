/**
 * Reporting blocked senders back to vspam.org (SPEC §5) in the background: a bounded queue, one
 * worker, back-off that honours Retry-After, never in the way of an answer.
 */
package org.vspam.agent.report;
