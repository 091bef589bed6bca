/**
 * Postfix policy delegation (SPEC §3): line framing with limits, a codec from lines to
 * {@link org.vspam.agent.policy.PolicyRequest}, and a thin handler over {@link org.vspam.agent.policy.PolicyService}.
 */
package org.vspam.agent.policy;
