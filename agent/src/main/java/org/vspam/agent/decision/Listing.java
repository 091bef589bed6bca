package org.vspam.agent.decision;

import java.util.Optional;
import org.vspam.agent.cache.Finding;
import org.vspam.agent.verdict.ThreatDetails;
import org.vspam.agent.verdict.Verdict;
import org.vspam.config.Family;

/** What was found against one indicator: a listed or a suspicious verdict, and its family. */
public record Listing(Finding.Answered finding, Family family) {

    /** The listing a finding is: none for a clean verdict or no answer. */
    public static Optional<Listing> from(Finding finding) {
        return finding instanceof Finding.Answered answered && !(answered.verdict().verdict() instanceof Verdict.Clean)
                ? Optional.of(of(answered)) : Optional.empty();
    }

    public static Listing of(Finding.Answered finding) {
        return new Listing(finding, switch (finding.verdict().verdict()) {
            case Verdict.Listed listed -> Family.of(listed.category());
            case Verdict.Suspicious suspicious -> Family.SUSPICIOUS;
            case Verdict.Clean clean -> throw new IllegalArgumentException("a clean verdict is not a listing");
        });
    }

    public Verdict verdict() {
        return finding.verdict().verdict();
    }

    /** Listed, rather than only suspicious. */
    public boolean listed() {
        return verdict() instanceof Verdict.Listed;
    }

    /** The category as the source gave it ({@code phishing_url}, {@code spam}, ...). */
    public String category() {
        return switch (verdict()) {
            case Verdict.Listed listed -> listed.category();
            case Verdict.Suspicious suspicious -> suspicious.category();
            case Verdict.Clean clean -> "";
        };
    }

    public ThreatDetails details() {
        return switch (verdict()) {
            case Verdict.Listed listed -> listed.details();
            case Verdict.Suspicious suspicious -> suspicious.details();
            case Verdict.Clean clean -> null;
        };
    }
}
