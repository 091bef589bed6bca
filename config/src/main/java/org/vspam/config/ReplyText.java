package org.vspam.config;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code reject_message} or {@code defer_message}: one line, optionally starting with the SMTP reply
 * code Postfix sends, with placeholders filled per listing. Checked when the configuration loads, so
 * a text Postfix would not take as an action of its kind never reaches it.
 */
public record ReplyText(String template) {
    /** The placeholders a reply may use, and nothing else in braces. */
    public static final String CATEGORY = "{category}";
    public static final String INDICATOR = "{indicator}";
    public static final String DELIST_URL = "{delist_url}";
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{[^}]*}");
    private static final Pattern CODE = Pattern.compile("^(\\d{3})(\\s.*)?$");

    /** The reply with the values filled in; values are reduced to characters safe on a reply line. */
    public String render(String category, String indicator, String delistUrl) {
        if (template.indexOf('{') < 0) {
            return template; // the usual text: nothing to fill, and it is given for every refused request
        }
        Map<String, String> values = Map.of(CATEGORY, category, INDICATOR, indicator, DELIST_URL, delistUrl);
        Matcher placeholders = PLACEHOLDER.matcher(template);
        StringBuilder out = new StringBuilder();
        while (placeholders.find()) {
            placeholders.appendReplacement(out, Matcher.quoteReplacement(oneLine(values.get(placeholders.group()))));
        }
        return placeholders.appendTail(out).toString();
    }

    /** True when the text starts with its own reply code ({@code 550 ...}): it is then the whole action. */
    public boolean hasCode() {
        return CODE.matcher(template).matches();
    }

    private static String oneLine(String value) {
        String safe = value == null ? "" : value.replaceAll("[\\p{Cntrl}]", "?");
        return safe.length() > 128 ? safe.substring(0, 128) : safe;
    }

    /** Checks {@code text} as a reply whose code, when it has one, starts with {@code codeClass} (4 or 5). */
    static ReplyText parse(String text, char codeClass) {
        String message = text.strip();
        if (message.isEmpty()) {
            throw new IllegalArgumentException("must not be empty");
        }
        if (message.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            throw new IllegalArgumentException("must be one line of text");
        }
        if (message.length() > Rules.MAX_REPLY_LENGTH) {
            throw new IllegalArgumentException("must be at most " + Rules.MAX_REPLY_LENGTH + " characters");
        }
        Matcher code = CODE.matcher(message);
        if (code.matches() && code.group(1).charAt(0) != codeClass) {
            throw new IllegalArgumentException("starts with the reply code " + code.group(1) + ", which must be " + codeClass + "xx here"
                    + (codeClass == '5' ? " (a 4xx refusal is defer_message's)" : " (a 5xx refusal is reject_message's)"));
        }
        Matcher placeholders = PLACEHOLDER.matcher(message);
        while (placeholders.find()) {
            String used = placeholders.group();
            if (!used.equals(CATEGORY) && !used.equals(INDICATOR) && !used.equals(DELIST_URL)) {
                throw new IllegalArgumentException("uses " + used + "; the placeholders are " + CATEGORY + ", " + INDICATOR + " and " + DELIST_URL);
            }
        }
        return new ReplyText(message);
    }

    @Override
    public String toString() {
        return template;
    }
}
