package org.vspam.agent.policy;

import io.micronaut.core.annotation.Nullable;
import org.vspam.agent.indicator.Indicator;

/**
 * One policy delegation request, holding only the attributes the agent decides on. An absent
 * attribute is the empty string, as Postfix itself sends attributes it has no value for.
 *
 * @param malformed a description of the first line that was not {@code name=value}, if any
 */
public record PolicyRequest(String request, String sender, String recipient, String clientAddress, String saslUsername, @Nullable String malformed) {

    public static final String SMTPD_ACCESS_POLICY = "smtpd_access_policy";

    public boolean isAccessPolicy() {
        return SMTPD_ACCESS_POLICY.equals(request);
    }

    /** The sender's domain; empty for a bounce ({@code sender=}) or a local name. */
    public String senderDomain() {
        return Indicator.domainOf(sender);
    }
}
