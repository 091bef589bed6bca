package org.vspam.agent.postfix;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.vspam.agent.Agent;
import org.vspam.agent.testing.AgentHarness;
import org.vspam.agent.testing.FakeVspamApi;
import org.vspam.agent.testing.PostfixInstance;
import org.vspam.agent.testing.Rbldnsd;
import org.vspam.agent.testing.ThreatFixtures;

/**
 * Debian's real Postfix, configured as the README says, in front of the agent: listed senders and
 * client IPs get a 5xx at RCPT, clean mail is accepted, and a stopped agent stops nothing.
 */
@Timeout(180)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PostfixEndToEndTest {
    private static FakeVspamApi api;
    private static Rbldnsd dnsbl;
    private static Agent agent;
    private static PostfixInstance postfix;

    @BeforeAll
    static void start() throws Exception {
        api = new FakeVspamApi();
        dnsbl = Rbldnsd.start();
        agent = AgentHarness.start(AgentHarness.yaml(api, dnsbl));
        postfix = PostfixInstance.start("inet:127.0.0.1:" + agent.policyServer().port());
    }

    @AfterAll
    static void stop() throws Exception {
        if (postfix != null) {
            postfix.close();
        }
        agent.close();
        dnsbl.close();
        api.close();
    }

    @Test
    @Order(1)
    void aListedSenderDomainIsRefusedAtRcpt() throws Exception {
        String transcript = postfix.rcpt("alice@" + ThreatFixtures.PHISH, ThreatFixtures.CLEAN_IP);
        assertThat(transcript).contains("<** 550").contains("Message rejected: sender listed in vspam.org (phishing)");
    }

    @Test
    @Order(2)
    void aListedClientAddressIsRefusedAtRcpt() throws Exception {
        String transcript = postfix.rcpt("bob@" + ThreatFixtures.CLEAN, ThreatFixtures.LISTED_IPV4);
        assertThat(transcript).contains("<** 550").contains("sender listed in vspam.org");
    }

    @Test
    @Order(3)
    void cleanMailIsAcceptedAtRcpt() throws Exception {
        String transcript = postfix.rcpt("carol@" + ThreatFixtures.CLEAN, ThreatFixtures.CLEAN_IP);
        assertThat(transcript).contains("RCPT TO:<user@example.org>").contains("<-  250").doesNotContain("<** ");
    }

    @Test
    @Order(4)
    void aBounceFromACleanClientIsAccepted() throws Exception {
        String transcript = postfix.rcpt("", ThreatFixtures.CLEAN_IP);
        assertThat(transcript).contains("MAIL FROM:<>").doesNotContain("<** ");
    }

    @Test
    @Order(5)
    void withTheAgentStoppedPostfixStillAccepts() throws Exception {
        agent.close();
        String transcript = postfix.rcpt("alice@" + ThreatFixtures.PHISH, ThreatFixtures.CLEAN_IP);
        assertThat(transcript).contains("RCPT TO:<user@example.org>").doesNotContain("<** ");
        assertThat(postfix.maillog()).contains("problem talking to server");
        agent = AgentHarness.start(AgentHarness.yaml(api, dnsbl)); // for stop()
    }
}
