package org.vspam.agent.packaged;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lettuce.core.api.StatefulRedisConnection;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.vspam.agent.testing.ConnectProxy;
import org.vspam.agent.testing.FakeVspamApi;
import org.vspam.agent.testing.PackagedAgent;
import org.vspam.agent.testing.PolicyClient;
import org.vspam.agent.testing.Ports;
import org.vspam.agent.testing.Rbldnsd;
import org.vspam.agent.testing.RedisServer;
import org.vspam.agent.testing.TestPki;
import org.vspam.agent.testing.ThreatFixtures;

/**
 * The shaded jar that the image and the packages run, configured with names wherever people write
 * names: the API by name over HTTPS with a private CA and through an authenticating egress proxy,
 * the DNSBL's resolver, Redis and both listeners by name.
 */
@Timeout(180)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PackagedJarIT {
    private static final String REJECT = "action=550 Message rejected: sender listed in vspam.org (phishing)";
    private static final String PROXY_PASSWORD = "proxy_pa55word";
    private static final String API_KEY = "vspam_packaged_key";

    @TempDir
    static Path dir;
    private static FakeVspamApi api;
    private static Rbldnsd dnsbl;
    private static RedisServer redis;
    private static ConnectProxy proxy;
    private static PackagedAgent agent;
    private static int policyPort;
    private static int httpPort;

    @BeforeAll
    static void start() throws Exception {
        TestPki pki = TestPki.create("vspam packaged test CA");
        api = FakeVspamApi.https(pki.issue("localhost"));
        dnsbl = Rbldnsd.start();
        redis = RedisServer.start();
        proxy = ConnectProxy.withCredentials("mail", PROXY_PASSWORD);
        policyPort = Ports.freeTcpPort();
        httpPort = Ports.freeTcpPort();
        agent = PackagedAgent.serve(dir, "agent", """
                api_url: %s
                api_key: %s
                api_ca_file: %s
                api_proxy: http://mail:%s@localhost:%d
                listen: tcp://localhost:%d
                http_enabled: true
                http_listen: localhost:%d
                cache_path: %s
                dnsbl_zone: %s
                dnsbl_resolvers: ["localhost:%d"]
                redis_url: %s
                redis_key_prefix: packaged
                decision_timeout: 2s
                """.formatted(api.baseUrl(), API_KEY, pki.writeCa(dir.resolve("ca.pem")), PROXY_PASSWORD, proxy.port(), policyPort, httpPort,
                dir.resolve("cache.db"), Rbldnsd.ZONE, dnsbl.port(), redis.urlByName()));
        assertThat(agent.alive()).as(agent.log()).isTrue();
    }

    @AfterAll
    static void stop() throws Exception {
        if (agent != null) {
            agent.close();
            assertThat(agent.log()).doesNotContain(API_KEY).doesNotContain(PROXY_PASSWORD).doesNotContain("Exception");
        }
        proxy.close();
        redis.close();
        dnsbl.close();
        api.close();
    }

    private static String ask(String sender) throws Exception {
        try (PolicyClient postfix = PolicyClient.tcp(policyPort)) {
            return postfix.ask(sender, ThreatFixtures.CLEAN_IP);
        }
    }

    @Test
    @Order(1)
    void aSenderOnlyTheApiListsIsRefusedOverHttpsThroughTheProxy() throws Exception {
        assertThat(ask("alice@" + ThreatFixtures.LEGACY)).isEqualTo(REJECT);
        assertThat(ask("bob@" + ThreatFixtures.CLEAN)).isEqualTo("action=DUNNO");
        assertThat(api.requests()).isNotEmpty().allSatisfy(request -> assertThat(request.apiKey()).isEqualTo(API_KEY));
        assertThat(proxy.tunnels()).isNotEmpty().allSatisfy(tunnel -> assertThat(tunnel).isEqualTo("localhost:" + api.baseUrl().getPort()));
        assertThat(proxy.challenges()).as("the proxy asked for credentials, and got them").isPositive();
    }

    @Test
    @Order(2)
    void theBlockedSenderIsReportedThroughTheSameClient() {
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(api.reports()).anySatisfy(report -> {
            assertThat(report.body()).contains("\"ioc_value\":\"" + ThreatFixtures.LEGACY + "\"");
            assertThat(report.apiKey()).isEqualTo(API_KEY);
            assertThat(report.status()).isEqualTo(201);
        }));
    }

    @Test
    @Order(3)
    void theVerdictIsSharedThroughRedisWithAnotherAgent() throws Exception {
        try (StatefulRedisConnection<String, String> look = redis.connect()) {
            await().atMost(Duration.ofSeconds(5)).until(() -> look.sync().get("packaged:v1:d:" + ThreatFixtures.LEGACY) != null);
        }
        int second = Ports.freeTcpPort();
        try (PackagedAgent other = PackagedAgent.serve(dir, "second", """
                api_url: ""
                dnsbl_enabled: false
                listen: tcp://localhost:%d
                cache_path: ""
                redis_url: %s
                redis_key_prefix: packaged
                """.formatted(second, redis.urlByName()))) {
            await().atMost(Duration.ofSeconds(10)).until(() -> other.log().contains("shared cache connected"));
            try (PolicyClient postfix = PolicyClient.tcp(second)) {
                assertThat(postfix.ask("carol@" + ThreatFixtures.LEGACY, ThreatFixtures.CLEAN_IP))
                        .as("an agent with no API and no DNSBL knows it only from Redis").isEqualTo(REJECT);
            }
        }
    }

    /** With the API failing, the DNSBL answers through a resolver given by name; the outage and the recovery are one line each. */
    @Test
    @Order(4)
    void aDnsblListingIsRefusedThroughTheResolverByNameAndTheApiOutageIsOneLine() throws Exception {
        api.mode(FakeVspamApi.Mode.SERVER_ERROR);
        for (int i = 0; i < 20; i++) {
            assertThat(ask("dave" + i + "@" + ThreatFixtures.DNSBL_ONLY)).isEqualTo(REJECT);
            assertThat(ask("erin@" + i + "." + ThreatFixtures.CLEAN)).isEqualTo("action=DUNNO");
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> agent.lines("unavailable: HTTP 500 Internal Server Error") == 1);
        assertThat(health()).contains("\"api\":{\"state\":\"failing\",\"problem\":\"HTTP 500 Internal Server Error\"}")
                .contains("\"dnsbl\":{\"state\":\"up\"}").startsWith("{\"status\":\"ok\"");

        api.mode(FakeVspamApi.Mode.NORMAL);
        int[] request = {0};
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).until(() -> {
            ask("frank@" + request[0]++ + "." + ThreatFixtures.CLEAN);
            return agent.lines("answers again") == 1;
        });
        assertThat(agent.lines("unavailable:")).as("one line for the whole outage, not one per request").isEqualTo(1);
        assertThat(agent.log()).contains("WARN  SourceHealth: vspam.org API " + api.baseUrl() + " unavailable: HTTP 500 Internal Server Error");
    }

    @Test
    @Order(5)
    void healthAndMetricsAnswerOnTheListenerGivenByName() throws Exception {
        assertThat(health()).startsWith("{\"status\":\"ok\",\"config\":\"").contains("\"sources\":{\"shared_cache\":{\"state\":\"up\"},\"api\":{\"state\":\"up\"}");
        try (HttpClient http = HttpClient.newHttpClient()) {
            String metrics = http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + httpPort + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            assertThat(metrics).contains("vspam_source_up{source=\"api\"} 1.0").contains("vspam_source_up{source=\"dnsbl\"} 1.0")
                    .contains("vspam_source_up{source=\"shared_cache\"} 1.0");
        }
    }

    @Test
    @Order(6)
    void checkOnTheCommandLineReachesTheApiByName() throws Exception {
        PackagedAgent check = PackagedAgent.start(dir, "check", """
                api_url: %s
                api_ca_file: %s
                dnsbl_zone: %s
                dnsbl_resolvers: ["localhost:%d"]
                """.formatted(api.baseUrl(), dir.resolve("ca.pem"), Rbldnsd.ZONE, dnsbl.port()), Map.of(), "check", ThreatFixtures.LEGACY);
        assertThat(check.exitStatus()).as(check.log()).isEqualTo(1);
        assertThat(check.log()).contains("verdict: listed (phishing_url), answered by api").doesNotContain("Exception");
    }

    /**
     * The packaged jar explains a saved message as the milter decides it: the link's host, looked up over HTTPS by
     * name. The host is written in full-width letters and another in punycode: the shaded jar's UTS #46 data maps both.
     */
    @Test
    @Order(6)
    void checkExplainsASavedMessage() throws Exception {
        Path message = Files.writeString(dir.resolve("report.eml"), """
                Return-Path: <billing@clean.example.org>
                From: <billing@clean.example.org>
                MIME-Version: 1.0
                Content-Type: multipart/alternative; boundary="b"

                --b
                Content-Type: text/plain; charset=utf-8

                Your invoice is ready.
                --b
                Content-Type: text/html; charset=utf-8
                Content-Transfer-Encoding: base64

                %s
                --b--
                """.formatted(Base64.getMimeEncoder().encodeToString(
                ("<a href=\"https://" + ThreatFixtures.LEGACY.chars().mapToObj(c -> Character.toString(c + 0xFEE0)).collect(Collectors.joining())
                        + "/pay\">clean.example.org</a> <a href=\"https://xn--bcher-kva.example/\">books</a>").getBytes(StandardCharsets.UTF_8))));
        PackagedAgent check = PackagedAgent.start(dir, "check-message", """
                api_url: %s
                api_ca_file: %s
                dnsbl_enabled: false
                """.formatted(api.baseUrl(), dir.resolve("ca.pem")), Map.of(), "check", "--message", message.toString());
        assertThat(check.exitStatus()).as(check.log()).isEqualTo(1);
        assertThat(check.log()).contains(", 2 link hosts").contains("checking link host " + ThreatFixtures.LEGACY)
                .contains("verdict: listed: " + ThreatFixtures.LEGACY + " (phishing_url)")
                .contains("the MTA refuses the message: 550 5.7.1 Message rejected: a link in it leads to " + ThreatFixtures.LEGACY)
                .doesNotContain("Exception");
    }

    @Test
    @Order(7)
    void aListenerHostThatIsNoAddressIsOneLineAndExitStatus78() throws Exception {
        PackagedAgent bad = PackagedAgent.start(dir, "bad-listen", "listen: tcp://256.1.1.1:10045\ncache_path: \"\"\n", Map.of(), "serve");
        assertThat(bad.exitStatus()).isEqualTo(78);
        assertThat(bad.log().strip()).isEqualTo("vspam-agent: listen: \"256.1.1.1\" is not an address and does not resolve to one");
    }

    @Test
    @Order(8)
    void aResolverNameThatDoesNotResolveIsAWarningNotAFailedStart() throws Exception {
        int port = Ports.freeTcpPort();
        try (PackagedAgent unresolved = PackagedAgent.serve(dir, "bad-resolver", """
                api_url: ""
                listen: tcp://localhost:%d
                cache_path: ""
                dnsbl_resolvers: ["dns.vspam.invalid:53"]
                """.formatted(port))) {
            assertThat(unresolved.alive()).as(unresolved.log()).isTrue();
            assertThat(unresolved.log()).contains("WARN  DnsblResolvers: dnsbl_resolvers: cannot resolve resolver host \"dns.vspam.invalid\"")
                    .doesNotContain("Exception");
            try (PolicyClient postfix = PolicyClient.tcp(port)) {
                assertThat(postfix.ask("a@" + ThreatFixtures.DNSBL_ONLY, ThreatFixtures.CLEAN_IP)).isEqualTo("action=DUNNO");
            }
        }
    }

    private static String health() throws Exception {
        try (HttpClient http = HttpClient.newHttpClient()) {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + httpPort + "/health")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(200);
            return response.body();
        }
    }
}
