package org.vspam.agent.decision;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vspam.agent.indicator.Indicator;
import org.vspam.agent.indicator.InvalidIndicatorException;

/**
 * What one request asks about: the indicators to look up (sender domain, client address, URL
 * hosts, in decision order), and what the allow-lists and {@code skip_authenticated} look at.
 *
 * @param sender        the envelope sender ({@code local@domain}), empty when unknown or a bounce
 * @param senderDomain  its domain, or the domain asked about
 * @param clientAddress the connecting client's address as sent, empty when unknown
 * @param saslUsername  the authenticated user, empty when the client did not authenticate
 * @param recipients    the envelope recipients the answer is for: the one of a policy request (Postfix asks per
 *                      {@code RCPT TO}), all of a message's for the milter; empty when unknown
 */
public record MailQuery(String sender, String senderDomain, String clientAddress, String saslUsername, List<String> recipients,
                        List<Indicator> indicators) {
    private static final Logger LOG = LoggerFactory.getLogger(MailQuery.class);

    public MailQuery {
        recipients = List.copyOf(recipients);
        indicators = List.copyOf(indicators);
    }

    /**
     * A message's envelope, for {@code recipients}: the sender's domain, then the client's address, are the
     * indicators, in decision order; a value that is not one ({@code unknown}, a broken name) is left out.
     */
    public static MailQuery envelope(String sender, String senderDomain, String clientAddress, String saslUsername, List<String> recipients) {
        List<Indicator> indicators = new ArrayList<>(2);
        if (!senderDomain.isEmpty()) {
            add(indicators, () -> Indicator.domain(senderDomain), "sender domain");
        }
        if (!clientAddress.isEmpty() && !clientAddress.equals("unknown")) {
            add(indicators, () -> Indicator.ip(clientAddress), "client address");
        }
        return new MailQuery(sender, senderDomain, clientAddress, saslUsername, recipients, indicators);
    }

    /** The same request for these recipients. */
    public MailQuery to(List<String> recipients) {
        return new MailQuery(sender, senderDomain, clientAddress, saslUsername, recipients, indicators);
    }

    /** The same request with more indicators after its own (a message's link hosts). */
    public MailQuery with(List<Indicator> more) {
        List<Indicator> all = new ArrayList<>(indicators);
        all.addAll(more);
        return new MailQuery(sender, senderDomain, clientAddress, saslUsername, recipients, all);
    }

    private static void add(List<Indicator> indicators, Supplier<Indicator> parse, String what) {
        try {
            indicators.add(parse.get());
        } catch (InvalidIndicatorException e) {
            LOG.debug("{} not checked: {}", what, e.getMessage());
        }
    }

    /** A lookup of indicators alone, with nothing an allow-list could match but those. */
    public static MailQuery of(List<Indicator> indicators) {
        return new MailQuery("", "", "", "", List.of(), indicators);
    }
}
