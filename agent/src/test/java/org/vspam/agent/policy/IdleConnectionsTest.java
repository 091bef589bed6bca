package org.vspam.agent.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.InputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.vspam.agent.Agent;
import org.vspam.agent.testing.AgentHarness;
import org.vspam.agent.testing.FakeVspamApi;
import org.vspam.agent.testing.PolicyClient;
import org.vspam.agent.testing.ThreatFixtures;

/** Connections that never send, or never finish a request, are closed after idle_timeout (2 s here); busy ones are not. */
@Timeout(120)
class IdleConnectionsTest {
    private static final Duration IDLE = Duration.ofSeconds(2);
    private static FakeVspamApi api;
    private static Agent agent;

    @BeforeAll
    static void start() throws Exception {
        api = new FakeVspamApi();
        agent = AgentHarness.start("""
                api_url: %s
                dnsbl_enabled: false
                listen: tcp://localhost:0
                cache_path: ""
                idle_timeout: 2s
                """.formatted(api.baseUrl()));
    }

    @AfterAll
    static void stop() {
        agent.close();
        api.close();
    }

    @Test
    void aConnectionThatNeverSendsIsClosed() throws Exception {
        try (PolicyClient silent = PolicyClient.tcp(agent.policyServer().port())) {
            assertThat(silent.closedByServer()).as("closed within the client's 10 s read timeout").isTrue();
        }
    }

    @Test
    void aRequestThatNeverCompletesDoesNotHoldTheConnection() throws Exception {
        try (PolicyClient trickle = PolicyClient.tcp(agent.policyServer().port())) {
            trickle.send("request=smtpd_access_policy\nsender=a@");
            assertThat(trickle.closedByServer()).isTrue();
        }
    }

    @Test
    void aConnectionThatKeepsAskingStaysOpen() throws Exception {
        try (PolicyClient postfix = PolicyClient.tcp(agent.policyServer().port())) {
            long started = System.nanoTime();
            while (System.nanoTime() - started < IDLE.multipliedBy(2).toNanos()) {
                assertThat(postfix.ask("a@" + ThreatFixtures.PHISH, ThreatFixtures.CLEAN_IP)).startsWith("action=550");
                await().pollDelay(IDLE.dividedBy(4)).until(() -> true); // a request every half second
            }
        }
    }

    /** 5,000 idle connections (Postfix's smtpd processes, and some more) do not stop a fresh one from being answered. */
    @Test
    void thousandsOfIdleConnectionsAreHeldThenClosed() throws Exception {
        List<Socket> idle = new ArrayList<>();
        try {
            for (int i = 0; i < 5_000; i++) {
                Socket socket = new Socket("127.0.0.1", agent.policyServer().port());
                socket.setSoTimeout(15_000);
                idle.add(socket);
            }
            try (PolicyClient fresh = PolicyClient.tcp(agent.policyServer().port())) {
                assertThat(fresh.ask("b@" + ThreatFixtures.MALWARE, ThreatFixtures.CLEAN_IP)).startsWith("action=550");
            }
            for (Socket socket : idle) {
                InputStream in = socket.getInputStream();
                assertThat(in.read()).as("closed by the agent after idle_timeout").isEqualTo(-1);
            }
        } finally {
            for (Socket socket : idle) {
                socket.close();
            }
        }
    }
}
