package org.vspam.agent.postfix;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.vspam.agent.Agent;
import org.vspam.agent.observe.ClientAddresses;
import org.vspam.agent.testing.AgentHarness;
import org.vspam.agent.testing.Commands;
import org.vspam.agent.testing.FakeVspamApi;
import org.vspam.agent.testing.Haproxy;
import org.vspam.agent.testing.LogCapture;
import org.vspam.agent.testing.PostfixInstance;
import org.vspam.agent.testing.ThreatFixtures;

/**
 * Postfix behind a load balancer (HAProxy, as a Kubernetes Service's cloud load balancer would be): with
 * the PROXY protocol and the README's Postfix setting, a listed client is refused through the proxy;
 * without it every client is the proxy's address, nothing listed can match, and the agent says so once.
 */
@Timeout(180)
class ClientAddressThroughProxyTest {
    /** A client address on loopback that the test lists, so that a real connection can come from a listed client. */
    private static final String LISTED_CLIENT = "127.0.0.66";

    private static FakeVspamApi api;
    private static Agent agent;

    @BeforeAll
    static void start() throws Exception {
        api = new FakeVspamApi();
        api.list(LISTED_CLIENT, "spam_source", "ip");
        agent = AgentHarness.start("api_url: " + api.baseUrl() + "\ndnsbl_enabled: false\ncache_path: \"\"\nlisten: tcp://127.0.0.1:0\n");
    }

    @AfterAll
    static void stop() {
        agent.close();
        api.close();
    }

    @ParameterizedTest
    @EnumSource(value = Haproxy.Proxy.class, names = {"V1", "V2"})
    void withThePROXYProtocolAListedClientIsRefusedThroughTheProxy(Haproxy.Proxy header) throws Exception {
        try (PostfixInstance postfix = PostfixInstance.start("inet:127.0.0.1:" + agent.policyServer().port(),
                "smtpd_upstream_proxy_protocol = haproxy\n");
             Haproxy proxy = Haproxy.start(postfix.port(), header)) {
            assertThat(swaks(proxy.port(), LISTED_CLIENT, List.of("user@example.org")))
                    .contains("<** 550").contains("sender listed in vspam.org");
            assertThat(swaks(proxy.port(), "127.0.0.67", List.of("user@example.org"))).contains("<-  250").doesNotContain("<** ");
            assertThat(postfix.maillog()).contains("[127.0.0.66]");
        }
    }

    @Test
    void withoutItEveryClientIsTheProxyNothingMatchesAndTheAgentSaysSoOnce() throws Exception {
        try (PostfixInstance postfix = PostfixInstance.start("inet:127.0.0.1:" + agent.policyServer().port());
             Haproxy proxy = Haproxy.start(postfix.port(), Haproxy.Proxy.NONE);
             LogCapture log = LogCapture.of(ClientAddresses.class)) {
            agent.context().getBean(ClientAddresses.class).endWindow(); // a fresh window for this test's requests
            List<String> recipients = IntStream.range(0, 120).mapToObj(i -> "user" + i + "@example.org").toList();
            String transcript = swaks(proxy.port(), LISTED_CLIENT, recipients);
            assertThat(transcript).as("the listed client is the proxy's 127.0.0.1 to Postfix").doesNotContain("<** ");
            assertThat(transcript.lines().filter(line -> line.startsWith("<-  250 2.1.5"))).hasSize(120);

            agent.context().getBean(ClientAddresses.class).endWindow(); // as the window's timer would, five minutes in
            assertThat(log.lines()).singleElement().satisfies(line -> assertThat(line)
                    .startsWith("WARN 100% of the last 120 policy requests came from loopback (127.0.0.0/8, ::1) 100%")
                    .contains("no IP listing can match"));
        }
    }

    /** A real connection from {@code source} through the proxy, up to RCPT for each recipient. */
    private static String swaks(int port, String source, List<String> recipients) throws Exception {
        return Commands.run(List.of("swaks", "--server", "127.0.0.1:" + port, "--local-interface", source,
                "--from", "alice@" + ThreatFixtures.CLEAN, "--to", recipients.stream().collect(Collectors.joining(",")),
                "--helo", "mail.example.com", "--quit-after", "RCPT", "--timeout", "30"), false);
    }
}
