package org.vspam.agent.decision;

import java.util.List;
import org.vspam.agent.indicator.Indicator;

/**
 * What one request asks about: the indicators to look up (sender domain, client address, URL
 * hosts, in decision order), and what the allow-lists and {@code skip_authenticated} look at.
 *
 * @param sender        the envelope sender ({@code local@domain}), empty when unknown or a bounce
 * @param senderDomain  its domain, or the domain asked about
 * @param clientAddress the connecting client's address as sent, empty when unknown
 * @param saslUsername  the authenticated user, empty when the client did not authenticate
 */
public record MailQuery(String sender, String senderDomain, String clientAddress, String saslUsername, List<Indicator> indicators) {

    public MailQuery {
        indicators = List.copyOf(indicators);
    }

    /** A lookup of indicators alone, with nothing an allow-list could match but those. */
    public static MailQuery of(List<Indicator> indicators) {
        return new MailQuery("", "", "", "", indicators);
    }
}
