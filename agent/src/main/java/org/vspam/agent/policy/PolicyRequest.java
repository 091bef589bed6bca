package org.vspam.agent.policy;

import io.micronaut.core.annotation.Nullable;

/**
 * One policy delegation request, holding only the attributes the agent uses or logs. An absent
 * attribute is the empty string, as Postfix itself sends attributes it has no value for.
 *
 * @param malformed a description of the first line that was not {@code name=value}, if any
 */
public record PolicyRequest(
        String request,
        String protocolState,
        String sender,
        String recipient,
        String clientAddress,
        String clientName,
        String heloName,
        String queueId,
        @Nullable String malformed) {

    public static final String SMTPD_ACCESS_POLICY = "smtpd_access_policy";

    public boolean isAccessPolicy() {
        return SMTPD_ACCESS_POLICY.equals(request);
    }

    /** The part after the last {@code @}; empty for a bounce ({@code sender=}) or a local name. */
    public String senderDomain() {
        int at = sender.lastIndexOf('@');
        return at < 0 ? "" : sender.substring(at + 1);
    }
}
