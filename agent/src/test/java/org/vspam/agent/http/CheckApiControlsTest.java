package org.vspam.agent.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.vspam.agent.Agent;
import org.vspam.agent.testing.AgentHarness;
import org.vspam.agent.testing.FakeVspamApi;
import org.vspam.agent.testing.Rbldnsd;
import org.vspam.agent.testing.ThreatFixtures;

/** The HTTP answer carries the controls' action word, so Exim and rspamd decide as Postfix does; malicious is unchanged. */
@Timeout(60)
class CheckApiControlsTest {
    private static FakeVspamApi api;
    private static Rbldnsd dnsbl;
    private static Agent agent;
    private static HttpClient http;

    @BeforeAll
    static void start() throws Exception {
        api = new FakeVspamApi();
        dnsbl = Rbldnsd.start();
        agent = AgentHarness.start(AgentHarness.yaml(api, dnsbl) + """
                http_enabled: true
                http_listen: 127.0.0.1:0
                actions: {spam: prepend, botnet: defer, tor: allow}
                allow_clients: ["198.51.100.0/24"]
                """);
        http = HttpClient.newHttpClient();
    }

    @AfterAll
    static void stop() throws Exception {
        http.close();
        agent.close();
        dnsbl.close();
        api.close();
    }

    private static String check(String query) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + agent.httpPort() + "/check?" + query)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    @Test
    void eachActionHasItsWord() throws Exception {
        assertThat(check("sender_domain=" + ThreatFixtures.PHISH)).startsWith("{\"malicious\":true,\"action\":\"reject\",");
        assertThat(check("sender_domain=" + ThreatFixtures.SPAMMY)).startsWith("{\"malicious\":true,\"action\":\"tag\",\"reason\":\"vspam.org: spam_source\"");
        assertThat(check("sender_domain=" + ThreatFixtures.BOTNET)).startsWith("{\"malicious\":true,\"action\":\"defer\",");
        assertThat(check("sender_domain=" + ThreatFixtures.TORNODE)).startsWith("{\"malicious\":true,\"action\":\"allow\",");
        assertThat(check("sender_domain=" + ThreatFixtures.PHISH + "&client_ip=198.51.100.7")).as("an allowed client")
                .isEqualTo("{\"malicious\":false,\"action\":\"allow\"}");

        String metrics = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + agent.httpPort() + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        assertThat(metrics).contains("vspam_decisions_total{transport=\"http\",verdict=\"allowed\"} 1.0")
                .contains("vspam_actions_total{action=\"tag\",transport=\"http\"} 1.0")
                .contains("vspam_actions_total{action=\"defer\",transport=\"http\"} 1.0")
                .contains("vspam_actions_total{action=\"reject\",transport=\"http\"} 1.0")
                .contains("vspam_actions_total{action=\"allow\",transport=\"http\"} 2.0");
    }
}
