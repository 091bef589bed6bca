package org.vspam.agent.postfix;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
import org.vspam.agent.testing.PolicyClient;
import org.vspam.agent.testing.PostfixInstance;
import org.vspam.agent.testing.Rbldnsd;
import org.vspam.agent.testing.ThreatFixtures;

/**
 * The operator's controls as Postfix carries them out: an allowed client is accepted although listed,
 * {@code defer} is a 4xx at RCPT, monitor mode accepts and the queued message carries the X-Vspam
 * header, and a submission by an authenticated user is not looked up. Each control is switched on
 * by a reload of the running agent, as SIGHUP does it.
 */
@Timeout(180)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PostfixControlsTest {
    private static FakeVspamApi api;
    private static Rbldnsd dnsbl;
    private static Agent agent;
    private static PostfixInstance postfix;
    private static String base;

    @BeforeAll
    static void start() throws Exception {
        api = new FakeVspamApi();
        dnsbl = Rbldnsd.start();
        base = AgentHarness.yaml(api, dnsbl);
        agent = AgentHarness.start(base + "allow_clients: [\"203.0.113.0/24\"]\nallow_senders: [partner.example.com]\n");
        // Delivery is held, so that a message stays in the queue to be read. The sender restrictions ask
        // the agent before permit_sasl_authenticated can let a logged-in client through, as on a
        // submission service whose policy check comes first.
        String policy = "inet:127.0.0.1:" + agent.policyServer().port();
        postfix = PostfixInstance.start(policy, "defer_transports = local smtp relay\nsmtpd_sender_restrictions = check_policy_service "
                + policy + "\n");
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
    void anAllowedClientIsAcceptedAlthoughListedAndNotLookedUp() throws Exception {
        int before = api.lookups();
        String transcript = postfix.rcpt("bob@" + ThreatFixtures.MALWARE, ThreatFixtures.LISTED_IPV4);
        assertThat(transcript).contains("<-  250 2.1.5").doesNotContain("<** ");
        assertThat(postfix.rcpt("carol@mx.partner.example.com", ThreatFixtures.CLEAN_IP)).doesNotContain("<** ");
        assertThat(api.lookups()).as("allowed before any lookup").isEqualTo(before);
        // Outside the range, the same listed sender is refused.
        assertThat(postfix.rcpt("bob@" + ThreatFixtures.MALWARE, ThreatFixtures.CLEAN_IP)).contains("<** 550");
    }

    /** RFC 2142: a listed sender still reaches abuse@ and postmaster@ (not looked up), and no one else. */
    @Test
    @Order(1)
    void theAbuseDeskAndThePostmasterGetMailFromAListedSender() throws Exception {
        int before = api.lookups();
        assertThat(postfix.rcptTo("alice@" + ThreatFixtures.PHISH, ThreatFixtures.CLEAN_IP, "abuse@example.org"))
                .contains("<-  250 2.1.5").doesNotContain("<** ");
        assertThat(postfix.rcptTo("alice@" + ThreatFixtures.PHISH, ThreatFixtures.CLEAN_IP, "PostMaster@example.org"))
                .contains("<-  250 2.1.5").doesNotContain("<** ");
        assertThat(api.lookups()).as("not looked up").isEqualTo(before);
        assertThat(postfix.rcptTo("alice@" + ThreatFixtures.PHISH, ThreatFixtures.CLEAN_IP, "user@example.org")).contains("<** 550");
    }

    @Test
    @Order(2)
    void deferIsATemporaryRefusalAtRcpt() throws Exception {
        agent.reload(AgentHarness.config(base + "actions: {phishing: defer}\ndefer_message: \"451 4.7.1 {indicator} listed as {category}, try later\"\n"));
        String transcript = postfix.rcpt("alice@" + ThreatFixtures.PHISH, ThreatFixtures.CLEAN_IP);
        assertThat(transcript).contains("<** 451 4.7.1 <alice@" + ThreatFixtures.PHISH + ">: Sender address rejected: " + ThreatFixtures.PHISH
                + " listed as phishing_url, try later");
        assertThat(postfix.rcpt("bob@" + ThreatFixtures.MALWARE, ThreatFixtures.CLEAN_IP)).as("other families still reject").contains("<** 550");
    }

    @Test
    @Order(3)
    void monitorModeAcceptsAndTagsTheMessage() throws Exception {
        agent.reload(AgentHarness.config(base + "mode: monitor\n"));
        String transcript = postfix.send("alice@" + ThreatFixtures.PHISH, ThreatFixtures.CLEAN_IP);
        assertThat(transcript).doesNotContain("<** ");
        Matcher queued = Pattern.compile("250 2\\.0\\.0 Ok: queued as (\\w+)").matcher(transcript);
        assertThat(queued.find()).as(transcript).isTrue();
        assertThat(postfix.queued(queued.group(1))).contains("X-Vspam: listed; category=phishing_url; indicator=domain");
    }

    @Test
    @Order(4)
    void anAuthenticatedSubmissionIsNotLookedUp() throws Exception {
        agent.reload(AgentHarness.config(base));
        int before = api.lookups();
        String transcript = postfix.rcptAuthenticated("alice@" + ThreatFixtures.BOTNET, "192.0.2.44", "alice");
        assertThat(transcript).contains("<-  250 2.1.5").doesNotContain("<** ");
        assertThat(api.lookups()).as("a login is not looked up").isEqualTo(before);
        assertThat(postfix.rcpt("alice@" + ThreatFixtures.BOTNET, "192.0.2.44")).as("the same without a login").contains("<** 550");
        assertThat(api.lookups()).isGreaterThan(before);
    }

    @Test
    @Order(5)
    void askedDirectlyWithASaslUsernameTheAgentAnswersDunno() throws Exception {
        int before = api.lookups();
        try (PolicyClient client = PolicyClient.tcp(agent.policyServer().port())) {
            // As Postfix asks for a client that logged in with SASL.
            client.send("request=smtpd_access_policy\nprotocol_state=RCPT\nsender=alice@" + ThreatFixtures.MALWARE
                    + "\nclient_address=192.0.2.45\nsasl_method=PLAIN\nsasl_username=alice\n\n");
            assertThat(client.readAnswer()).isEqualTo("action=DUNNO");
        }
        assertThat(api.lookups()).isEqualTo(before);
    }
}
