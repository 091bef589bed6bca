package org.vspam.agent.verdict;

/** The answer for one indicator from a source that could answer. */
public sealed interface Verdict {

    /** Listed: mail is refused. */
    record Listed(String category, ThreatDetails details) implements Verdict {
    }

    /** Scored but not listed: allowed, reported as suspicious by the HTTP check API. */
    record Suspicious(String category, ThreatDetails details) implements Verdict {
    }

    /** Not listed. */
    record Clean() implements Verdict {
    }

    Verdict CLEAN = new Clean();

    /** A small fixed name, usable as a metric label. */
    default String label() {
        return switch (this) {
            case Listed l -> "listed";
            case Suspicious s -> "suspicious";
            case Clean c -> "clean";
        };
    }
}
