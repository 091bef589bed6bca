package org.vspam.agent.decision;

import org.vspam.config.AgentConfig;
import org.vspam.config.ReplyText;

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

    /** The text of a refusal ({@code reject_message}) or a deferral ({@code defer_message}), filled from the listing. */
    public String refusal(Outcome outcome) {
        ReplyText text = outcome instanceof Outcome.Refuse ? reject : defer;
        return outcome.listing()
                .map(listing -> text.render(listing.category(), listing.finding().indicator().value(), delistUrl))
                .orElseGet(() -> text.render("unchecked", "", delistUrl));
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
