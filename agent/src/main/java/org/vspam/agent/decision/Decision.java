package org.vspam.agent.decision;

import java.util.List;
import org.vspam.agent.cache.Finding;

/**
 * A decided request: its outcome, what was learned about each indicator on the way (in request
 * order; empty when nothing was looked up), which metrics and logs describe, and the texts it is
 * told with: those of the controls that decided it, even when a reload replaced them meanwhile.
 */
public record Decision(Outcome outcome, List<Finding> findings, Replies replies) {

    public Decision {
        findings = List.copyOf(findings);
    }

    /** Allowed, or deferred, only because something could not be checked: fail-open. */
    public boolean failedOpen() {
        return outcome.why() instanceof Outcome.Why.Unchecked;
    }
}
