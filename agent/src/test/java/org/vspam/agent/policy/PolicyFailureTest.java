package org.vspam.agent.policy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.vspam.agent.testing.FailingDecisions;
import org.vspam.agent.testing.LogCapture;

/** A decision that fails by the agent's own fault is answered as failure_action says, as the milter and the HTTP API answer it. */
class PolicyFailureTest {

    @Test
    void underFailureActionDeferTheAgentsOwnFailureIsADeferralNotADunno() {
        PolicyService service = new PolicyService(FailingDecisions.underDefer(), address -> { });
        try (LogCapture log = LogCapture.of(org.vspam.agent.decision.DecisionService.class)) {
            PolicyAction action = service.answer(new PolicyRequest("smtpd_access_policy", "a@example.org", "u@example.net", "192.0.2.1", "", null),
                    FailingDecisions.GONE).join();
            assertThat(action).isInstanceOf(PolicyAction.Defer.class);
            assertThat(action.wireText()).startsWith("action=451 4.7.1 Message deferred: it could not be checked now");
            assertThat(log.lines()).singleElement().asString()
                    .startsWith("ERROR a policy request could not be decided (").contains("answered as mail nothing could be checked for: defer");
        }
    }
}
