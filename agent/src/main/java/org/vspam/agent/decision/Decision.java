package org.vspam.agent.decision;

import java.util.List;
import org.vspam.agent.cache.Finding;

/**
 * A decided request: its outcome, and what was learned about each indicator on the way (in
 * request order; empty when nothing was looked up), which metrics and logs describe.
 */
public record Decision(Outcome outcome, List<Finding> findings) {

    public Decision {
        findings = List.copyOf(findings);
    }

    /** Allowed, or deferred, only because something could not be checked: fail-open. */
    public boolean failedOpen() {
        return outcome.why() instanceof Outcome.Why.Unchecked;
    }
}
