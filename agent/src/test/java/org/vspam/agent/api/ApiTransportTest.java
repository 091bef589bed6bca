package org.vspam.agent.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.vspam.agent.Agent;
import org.vspam.agent.observe.SourceHealth;
import org.vspam.agent.lookup.Source;
import org.vspam.agent.testing.AgentHarness;
import org.vspam.agent.testing.ConnectProxy;
import org.vspam.agent.testing.FakeVspamApi;
import org.vspam.agent.testing.LogCapture;
import org.vspam.agent.testing.PolicyClient;
import org.vspam.agent.testing.TestPki;
import org.vspam.agent.testing.ThreatFixtures;
import org.vspam.config.AgentConfigLoader;

/**
 * The API as production reaches it: HTTPS by name, the certificate checked against the JVM's
 * authorities or {@code api_ca_file}'s, host names verified, optionally through an egress proxy.
 */
@Timeout(60)
class ApiTransportTest {
    private static TestPki pki;
    private static FakeVspamApi api;
    private static FakeVspamApi otherName;
    private static Path caFile;

    @BeforeAll
    static void start(@TempDir Path dir) throws Exception {
        pki = TestPki.create("vspam test CA");
        api = FakeVspamApi.https(pki.issue("localhost"));
        otherName = FakeVspamApi.https(pki.issue("api.example.net"));
        caFile = pki.writeCa(dir.resolve("ca.pem"));
    }

    @AfterAll
    static void stop() {
        api.close();
        otherName.close();
    }

    private static String yaml(FakeVspamApi to, String extra) {
        return """
                api_url: %s
                api_key: vspam_tls_key
                listen: tcp://localhost:0
                cache_path: ""
                dnsbl_enabled: false
                decision_timeout: 1s
                reporting_enabled: false
                """.formatted(to.baseUrl()) + extra;
    }

    private static String refusal(Agent agent) throws Exception {
        try (PolicyClient postfix = PolicyClient.tcp(agent.policyServer().port())) {
            return postfix.ask("a@" + ThreatFixtures.PHISH, ThreatFixtures.CLEAN_IP);
        }
    }

    @Test
    void aListedSenderIsRefusedOverHttpsTrustingTheCaFile() throws Exception {
        try (Agent agent = AgentHarness.start(yaml(api, "api_ca_file: " + caFile + "\n"))) {
            assertThat(refusal(agent)).startsWith("action=550 ");
        }
        assertThat(api.requests()).isNotEmpty().allSatisfy(request -> assertThat(request.apiKey()).isEqualTo("vspam_tls_key"));
    }

    @Test
    void withoutTheCaFileTheCertificateIsNotTrustedAndTheOperatorIsToldWhy() throws Exception {
        try (LogCapture log = LogCapture.of(SourceHealth.class); Agent agent = AgentHarness.start(yaml(api, ""))) {
            try (PolicyClient postfix = PolicyClient.tcp(agent.policyServer().port())) {
                for (int i = 0; i < 5; i++) {
                    assertThat(postfix.ask("a@" + i + ThreatFixtures.PHISH, ThreatFixtures.CLEAN_IP)).isEqualTo("action=DUNNO");
                }
            }
            assertThat(log.lines()).singleElement().asString().startsWith("WARN vspam.org API " + api.baseUrl() + " unavailable: TLS handshake with localhost:"
                    + api.baseUrl().getPort() + " failed: the certificate is not signed by a trusted authority — set api_ca_file");
            assertThat(agent.context().getBean(SourceHealth.class).statuses().get(Source.API).state()).isEqualTo(SourceHealth.State.FAILING);
        }
    }

    @Test
    void aCertificateForAnotherNameIsRefusedAndLoggedOnce() throws Exception {
        try (LogCapture log = LogCapture.of(SourceHealth.class); Agent agent = AgentHarness.start(yaml(otherName, "api_ca_file: " + caFile + "\n"))) {
            try (PolicyClient postfix = PolicyClient.tcp(agent.policyServer().port())) {
                for (int i = 0; i < 5; i++) {
                    assertThat(postfix.ask("a@" + i + ThreatFixtures.PHISH, ThreatFixtures.CLEAN_IP)).isEqualTo("action=DUNNO");
                }
            }
            assertThat(log.lines()).singleElement().asString().contains("TLS handshake with localhost:" + otherName.baseUrl().getPort() + " failed")
                    .containsIgnoringCase("localhost");
        }
        assertThat(otherName.lookups()).as("no lookup is answered by a server with the wrong name").isZero();
    }

    @Test
    void throughTheEgressProxyNamedByApiProxy() throws Exception {
        try (ConnectProxy proxy = ConnectProxy.open();
             Agent agent = AgentHarness.start(yaml(api, "api_ca_file: " + caFile + "\napi_proxy: http://localhost:" + proxy.port() + "\n"))) {
            assertThat(refusal(agent)).startsWith("action=550 ");
            assertThat(proxy.tunnels()).contains("localhost:" + api.baseUrl().getPort());
        }
    }

    @Test
    void theEnvironmentsProxyIsHonouredAndNoProxyBypassesIt() throws Exception {
        try (ConnectProxy proxy = ConnectProxy.open()) {
            String yaml = yaml(api, "api_ca_file: " + caFile + "\n");
            var proxied = AgentConfigLoader.parse(yaml, "agent.yml", Map.of("https_proxy", "http://localhost:" + proxy.port()));
            try (Agent agent = Agent.start(proxied)) {
                assertThat(refusal(agent)).startsWith("action=550 ");
            }
            int tunnels = proxy.tunnels().size();
            assertThat(tunnels).as("lookups went through the proxy").isPositive();

            var direct = AgentConfigLoader.parse(yaml, "agent.yml", Map.of("HTTPS_PROXY", "http://localhost:" + proxy.port(), "no_proxy", ".localhost,example.org"));
            try (Agent agent = Agent.start(direct)) {
                assertThat(refusal(agent)).startsWith("action=550 ");
            }
            assertThat(proxy.tunnels()).as("no_proxy names localhost: no new tunnel").hasSize(tunnels);
        }
    }

    @Test
    void aProxyThatIsDownIsOneLineNamingIt() throws Exception {
        ConnectProxy gone = ConnectProxy.open();
        int port = gone.port();
        gone.close();
        try (LogCapture log = LogCapture.of(SourceHealth.class);
             Agent agent = AgentHarness.start(yaml(api, "api_ca_file: " + caFile + "\napi_proxy: http://user:proxy_secret@localhost:" + port + "\n"))) {
            try (PolicyClient postfix = PolicyClient.tcp(agent.policyServer().port())) {
                for (int i = 0; i < 4; i++) {
                    assertThat(postfix.ask("a@" + i + ThreatFixtures.PHISH, ThreatFixtures.CLEAN_IP)).isEqualTo("action=DUNNO");
                }
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> !log.lines().isEmpty());
            assertThat(log.lines()).singleElement().asString().contains("connection refused by the proxy (localhost:" + port + ")")
                    .doesNotContain("proxy_secret");
        }
    }
}
