package org.vspam.agent.exim;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.vspam.agent.Agent;
import org.vspam.agent.testing.AgentHarness;
import org.vspam.agent.testing.EximInstance;
import org.vspam.agent.testing.FakeVspamApi;
import org.vspam.agent.testing.Rbldnsd;
import org.vspam.agent.testing.ThreatFixtures;

/**
 * Debian's real Exim with the integrations page's RCPT ACL: {@code ${readsocket}} sends a bare
 * {@code GET /check?... HTTP/1.0} to the agent and denies on {@code "malicious":true}.
 */
@Timeout(120)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EximEndToEndTest {
    private static FakeVspamApi api;
    private static Rbldnsd dnsbl;
    private static Agent agent;
    private static EximInstance exim;

    @TempDir
    static Path dir;

    @BeforeAll
    static void start() throws Exception {
        api = new FakeVspamApi();
        dnsbl = Rbldnsd.start();
        agent = AgentHarness.start(AgentHarness.yaml(api, dnsbl) + "http_enabled: true\nhttp_listen: 127.0.0.1:0\n");
        exim = EximInstance.start(dir, agent.httpPort());
    }

    @AfterAll
    static void stop() throws Exception {
        if (exim != null) {
            exim.close();
        }
        agent.close();
        dnsbl.close();
        api.close();
    }

    @Test
    @Order(1)
    void aListedSenderIsRefused() throws Exception {
        assertThat(exim.rcpt("alice@" + ThreatFixtures.PHISH)).contains("<** 550 Sender blocked by vspam.org");
    }

    @Test
    @Order(2)
    void aCleanSenderIsAccepted() throws Exception {
        assertThat(exim.rcpt("bob@" + ThreatFixtures.CLEAN)).contains("<-  250 Accepted").doesNotContain("<** 5");
    }

    @Test
    @Order(3)
    void aSuspiciousSenderIsAcceptedToo() throws Exception {
        assertThat(exim.rcpt("carol@" + ThreatFixtures.SUSPICIOUS)).contains("<-  250 Accepted");
    }

    /** readsocket's empty answer when nothing listens does not match: mail flows without the agent. */
    @Test
    @Order(4)
    void withTheAgentStoppedMailIsAccepted() throws Exception {
        agent.close();
        assertThat(exim.rcpt("alice@" + ThreatFixtures.PHISH)).contains("<-  250 Accepted");
    }
}
