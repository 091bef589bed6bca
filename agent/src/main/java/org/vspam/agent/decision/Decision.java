package org.vspam.agent.decision;

import java.util.List;
import java.util.Optional;
import org.vspam.agent.cache.VerdictCache.Finding;
import org.vspam.agent.verdict.Verdict;

/**
 * The outcome for one request.
 *
 * @param verdict   listed (refuse), suspicious or clean (allow)
 * @param decisive  the finding that decided a listed or suspicious verdict
 * @param findings  what was learned about each indicator, in request order
 * @param failedOpen true when the answer is allow only because something could not be checked
 */
public record Decision(Verdict verdict, Optional<Finding> decisive, List<Finding> findings, boolean failedOpen) {

    public Decision {
        findings = List.copyOf(findings);
    }

    public static Decision nothingToCheck() {
        return new Decision(Verdict.CLEAN, Optional.empty(), List.of(), false);
    }

    public boolean listed() {
        return verdict instanceof Verdict.Listed;
    }
}
