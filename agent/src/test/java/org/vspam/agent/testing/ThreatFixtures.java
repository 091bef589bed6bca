package org.vspam.agent.testing;

import java.util.Map;

/**
 * The threat data of SPEC §10, as the fake vspam.org API and the DNSBL serve it. Only RFC 2606,
 * RFC 5737 and RFC 3849 names and addresses.
 */
public final class ThreatFixtures {
    public static final String PHISH = "phish.example.net";
    public static final String MALWARE = "malware.example.net";
    public static final String BOTNET = "botnet.example.net";
    public static final String SPAMMY = "spammy.example.net";
    public static final String TORNODE = "tornode.example.net";
    /** Listed under a category this agent has never heard of. */
    public static final String FUTURE = "future.example.net";
    /** Scored, not listed. */
    public static final String SUSPICIOUS = "suspicious.example.net";
    /** Listed through the legacy {@code status: confirmed} field only. */
    public static final String LEGACY = "legacy.example.net";
    /** Listed in the DNSBL only (the API does not know it). */
    public static final String DNSBL_ONLY = "dnsbl-only.example.net";
    /** The DNSBL answers this one with its "query refused" error code. */
    public static final String DNSBL_REFUSED = "refused.example.net";
    public static final String LISTED_IPV4 = "203.0.113.66";
    public static final String LISTED_IPV6 = "2001:db8::66";
    public static final String CLEAN = "clean.example.org";
    public static final String CLEAN_IP = "192.0.2.10";

    /** Indicator → the {@code data} object of the API's lookup envelope. */
    public static final Map<String, String> API = Map.of(
            PHISH, listed("phishing_url", "domain"),
            MALWARE, listed("malware_domain", "domain"),
            BOTNET, listed("botnet_c2", "domain"),
            SPAMMY, listed("spam_source", "domain"),
            TORNODE, listed("tor_exit_node", "domain"),
            FUTURE, listed("quantum_phishing", "domain"),
            SUSPICIOUS, """
                    {"status":"pending","confidence":"0.4100","ioc_type":"domain","category":"phishing_url",
                     "effective_decision":{"source":"scoring","verdict":"suspicious","listed":false,"rationale":"young domain"},
                     "scoring":{"score":"61.0000","confidence":"0.4100","needs_manual_review":true,"reason_summary":"lookalike"},
                     "first_seen":"2026-01-01T00:00:00Z"}""",
            LEGACY, """
                    {"status":"confirmed","confidence":"0.9000","ioc_type":"domain","category":"phishing_url"}""",
            LISTED_IPV4, listed("spam_source", "ip"),
            LISTED_IPV6, listed("spam_source", "ip"));

    /** DNSBL zone data: rbldnsd dnset lines, ip4set lines, ip6trie lines. */
    public static final String DNSBL_DOMAINS = """
            phish.example.net :127.0.0.2:
            malware.example.net :127.0.0.3:
            botnet.example.net :127.0.0.4:
            spammy.example.net :127.0.0.5:
            tornode.example.net :127.0.0.6:
            dnsbl-only.example.net :127.0.0.7:
            future.example.net :127.0.0.42:
            refused.example.net :127.255.255.254:
            """;
    public static final String DNSBL_IPV4 = "203.0.113.66 :127.0.0.5:\n";
    public static final String DNSBL_IPV6 = "2001:db8::66 :127.0.0.5:\n";

    private ThreatFixtures() {
    }

    static String listed(String category, String iocType) {
        return """
                {"status":"confirmed","confidence":"0.9100","ioc_type":"%s","category":"%s",
                 "effective_decision":{"source":"consensus","verdict":"malicious","listed":true,"rationale":"reported by 4 sources"},
                 "scoring":{"score":"91.0000","confidence":"0.9100","needs_manual_review":false,"reason_summary":"confirmed"}}"""
                .formatted(iocType, category);
    }
}
