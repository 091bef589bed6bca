package org.vspam.config;

import java.util.Locale;
import java.util.Map;

/**
 * The families a listing's category folds into, as the DNSBL's return codes and the public rspamd
 * module fold them: the API's categories are finer ({@code phishing_url}, {@code spam_source}, ...),
 * and {@code actions} is written per family. A category nobody knows is still a listing: {@link #THREAT}.
 */
public enum Family {
    PHISHING, MALWARE, BOTNET, SPAM, TOR, THREAT,
    /** Scored but not listed; not a category of its own but a verdict. */
    SUSPICIOUS;

    private static final Map<String, Family> CATEGORIES = Map.ofEntries(
            Map.entry("phishing", PHISHING), Map.entry("phishing_url", PHISHING), Map.entry("phishing_domain", PHISHING),
            Map.entry("credential_harvest", PHISHING), Map.entry("brand_impersonation", PHISHING), Map.entry("scam", PHISHING),
            Map.entry("malware", MALWARE), Map.entry("malware_url", MALWARE), Map.entry("malware_domain", MALWARE),
            Map.entry("spyware_domain", MALWARE),
            Map.entry("botnet", BOTNET), Map.entry("botnet_c2", BOTNET),
            Map.entry("spam", SPAM), Map.entry("spam_source", SPAM), Map.entry("blacklist_ip", SPAM),
            Map.entry("tor", TOR), Map.entry("tor_exit", TOR), Map.entry("tor_exit_node", TOR));

    /** The family of a listed category. */
    public static Family of(String category) {
        return category == null ? THREAT : CATEGORIES.getOrDefault(category.strip().toLowerCase(Locale.ROOT), THREAT);
    }

    /** As written in agent.yml and the VspamAgent spec. */
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    static Family byKey(String key) {
        for (Family family : values()) {
            if (family.key().equals(key.strip().toLowerCase(Locale.ROOT))) {
                return family;
            }
        }
        throw new IllegalArgumentException("names \"" + key.strip() + "\", which is not a category family (expected "
                + String.join(", ", java.util.Arrays.stream(values()).map(Family::key).toList()) + ")");
    }
}
