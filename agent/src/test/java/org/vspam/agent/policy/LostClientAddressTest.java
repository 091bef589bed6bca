package org.vspam.agent.policy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.vspam.agent.Agent;
import org.vspam.agent.observe.ClientAddresses;
import org.vspam.agent.testing.AgentHarness;
import org.vspam.agent.testing.LogCapture;
import org.vspam.agent.testing.PolicyClient;

/** Postfix behind a Service that hides the client: every policy request's client_address is the cluster's, and the agent says so. */
@Timeout(60)
class LostClientAddressTest {

    @Test
    void policyRequestsFromClusterAddressesEndInOneWarning() throws Exception {
        try (Agent agent = AgentHarness.start("api_url: \"\"\ndnsbl_enabled: false\ncache_path: \"\"\nlisten: tcp://127.0.0.1:0\n");
             LogCapture log = LogCapture.of(ClientAddresses.class);
             PolicyClient postfix = PolicyClient.tcp(agent.policyServer().port())) {
            for (int i = 0; i < 120; i++) {
                assertThat(postfix.ask("user@sender" + i + ".example.org", "10.244.3." + (i % 200))).isEqualTo("action=DUNNO");
            }
            agent.context().getBean(ClientAddresses.class).endWindow(); // as the window's timer would, five minutes in

            assertThat(log.lines()).singleElement().satisfies(line -> assertThat(line)
                    .startsWith("WARN 100% of the last 120 policy requests came from private (10.0.0.0/8"));
        }
    }
}
