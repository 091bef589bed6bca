package org.vspam.agent.decision;

import java.util.Set;
import org.vspam.agent.indicator.Indicator;
import org.vspam.config.AgentConfig;
import org.vspam.config.ReplyText;
import org.vspam.config.Setting;

/**
 * The texts an outcome is told with: {@code reject_message}, {@code defer_message}, {@code delist_url},
 * {@code header_name}. Each transport renders them into its own protocol; the texts are filled here only.
 */
public record Replies(ReplyText reject, ReplyText defer, String delistUrl, String headerName) {

    /** The longest header value the agent writes: a header line stays well under SMTP's 998 octets. */
    public static final int MAX_HEADER_VALUE = 200;

    public static Replies of(AgentConfig config) {
        return new Replies(config.rejectReply(), config.deferReply(), config.delistUrl(), config.headerName());
    }

    /**
     * The text of a refusal ({@code reject_message}) or a deferral ({@code defer_message}), filled from the
     * listing; a name in its ASCII form, as an SMTP reply must be.
     */
    public String refusal(Outcome outcome) {
        ReplyText text = outcome instanceof Outcome.Refuse ? reject : defer;
        return outcome.listing()
                .map(listing -> text.render(listing.category(), listing.finding().indicator().asciiName(), delistUrl))
                .orElseGet(() -> text.template().equals(Setting.DEFER_MESSAGE.defaultValue()) ? UNCHECKED_DEFERRAL
                        : text.render("unchecked", "", delistUrl));
    }

    /**
     * A deferral under {@code failure_action: defer} with the default texts: the default {@code defer_message} says the sender
     * is listed, which nothing found; this says what happened, as the milter does.
     */
    private static final String UNCHECKED = "it could not be checked now";
    static final String UNCHECKED_DEFERRAL = "451 4.7.1 " + deferral(UNCHECKED);

    private static String deferral(String found) {
        return "Message deferred: " + found + "; try again later";
    }

    /**
     * The text of a message's refusal (the milter). A text the operator wrote is used as written; the
     * defaults, written for the policy service's answer about a sender, would send the sender's
     * administrator to the wrong place for a message refused for a link, so a message is told what was
     * found instead: {@code Message rejected: a link in it leads to phish.example.net, listed in vspam.org
     * (phishing)}. {@code links} are the message's link hosts (an address may be a link's or the client's).
     */
    public String messageRefusal(Outcome outcome, Set<Indicator> links) {
        boolean refuse = outcome instanceof Outcome.Refuse;
        ReplyText text = refuse ? reject : defer;
        Setting setting = refuse ? Setting.REJECT_MESSAGE : Setting.DEFER_MESSAGE;
        if (!text.template().equals(setting.defaultValue())) {
            return refusal(outcome);
        }
        String found = outcome.listing().map(listing -> {
            Indicator indicator = listing.finding().indicator();
            String where = indicator.kind() == Indicator.Kind.URL || links.contains(indicator)
                    ? "a link in it leads to " + indicator.asciiName() + ", listed"
                    : (indicator.kind() == Indicator.Kind.DOMAIN ? "the sender's domain " : "the sending server ") + indicator.asciiName() + " is listed";
            return where + " in vspam.org (" + listing.family().key() + ")";
        }).orElse(UNCHECKED);
        return refuse ? "Message rejected: " + found : deferral(found);
    }

    /** {@code listed; category=phishing_url; indicator=domain}, each value reduced to what a header can carry. */
    public static String headerValue(Listing listing) {
        String value = listing.verdict().label() + "; category=" + token(listing.category()) + "; indicator="
                + listing.finding().indicator().kind().iocType();
        return value.length() > MAX_HEADER_VALUE ? value.substring(0, MAX_HEADER_VALUE) : value;
    }

    private static String token(String text) {
        String token = text.replaceAll("[^A-Za-z0-9_.-]", "_");
        return token.isEmpty() ? "unknown" : token;
    }
}
