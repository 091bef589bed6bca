package org.vspam.agent.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.MeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.vspam.agent.Agent;
import org.vspam.agent.testing.AgentHarness;
import org.vspam.agent.testing.FakeVspamApi;
import org.vspam.agent.testing.LogCapture;
import org.vspam.agent.testing.Rbldnsd;
import org.vspam.agent.testing.ThreatFixtures;
import org.vspam.agent.testing.Tools;

/** The HTTP check API, health and metrics through a real socket. */
@Timeout(60)
class CheckApiTest {
    private static FakeVspamApi api;
    private static Rbldnsd dnsbl;
    private static Agent agent;
    private static HttpClient http;

    @BeforeAll
    static void start() throws Exception {
        api = new FakeVspamApi();
        dnsbl = Rbldnsd.start();
        agent = AgentHarness.start(AgentHarness.yaml(api, dnsbl) + "http_enabled: true\nhttp_listen: 127.0.0.1:0\n");
        http = HttpClient.newHttpClient();
    }

    @AfterAll
    static void stop() throws Exception {
        http.close();
        agent.close();
        dnsbl.close();
        api.close();
    }

    private static HttpResponse<String> get(String pathAndQuery) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + agent.httpPort() + pathAndQuery)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> post(String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + agent.httpPort() + "/check"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aListedSenderDomain() throws Exception {
        HttpResponse<String> response = get("/check?sender_domain=Phish.Example.NET.&client_ip=192.0.2.10");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).startsWith("application/json"));
        assertThat(response.body()).isEqualTo("{\"malicious\":true,\"action\":\"reject\",\"reason\":\"vspam.org: phishing_url\","
                + "\"category\":\"phishing_url\",\"already_known\":true,\"ioc_type\":\"domain\",\"ioc_value\":\"phish.example.net\","
                + "\"lookup_value\":\"phish.example.net\",\"effective_decision\":{\"source\":\"consensus\",\"verdict\":\"malicious\","
                + "\"listed\":true,\"rationale\":\"reported by 4 sources\"}}");
    }

    @Test
    void cleanIsCompactAndMinimal() throws Exception {
        HttpResponse<String> response = get("/check?sender_domain=" + ThreatFixtures.CLEAN + "&client_ip=" + ThreatFixtures.CLEAN_IP);
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("{\"malicious\":false,\"action\":\"allow\"}");
    }

    @Test
    void aListedClientIpv6() throws Exception {
        HttpResponse<String> response = get("/check?client_ip=" + URLEncoder.encode("2001:DB8::66", StandardCharsets.UTF_8));
        assertThat(response.body()).startsWith("{\"malicious\":true,").contains("\"ioc_type\":\"ip\",\"ioc_value\":\"2001:db8::66\"");
    }

    @Test
    void suspiciousCarriesItsScoringButAllows() throws Exception {
        HttpResponse<String> response = get("/check?sender_domain=" + ThreatFixtures.SUSPICIOUS);
        assertThat(response.body()).startsWith("{\"malicious\":false,\"action\":\"allow\",\"category\":\"phishing_url\"")
                .contains("\"effective_decision\":{\"source\":\"scoring\",\"verdict\":\"suspicious\",\"listed\":false")
                .contains("\"scoring\":{\"score\":\"61.0000\",\"confidence\":\"0.4100\",\"needs_manual_review\":true");
    }

    @Test
    void postWithUrlsChecksTheirHostsAfterSenderAndClient() throws Exception {
        HttpResponse<String> response = post("{\"sender_domain\":\"" + ThreatFixtures.CLEAN + "\",\"client_ip\":\"" + ThreatFixtures.CLEAN_IP
                + "\",\"urls\":[\"https://clean.example.com/a\",\"https://Malware.Example.net/login?x=1\"],\"extra\":1}");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).startsWith("{\"malicious\":true,\"action\":\"reject\",\"reason\":\"vspam.org: malware_domain\"")
                .contains("\"ioc_type\":\"url\",\"ioc_value\":\"https://Malware.Example.net/login?x=1\",\"lookup_value\":\"malware.example.net\"");
    }

    /** What the public rspamd module (vspam.lua) posts: the hosts of the message's URLs, JSON as UCL writes it. */
    @Test
    void theRspamdModulesBareHostsAreChecked() throws Exception {
        HttpResponse<String> response = post("{\"sender_domain\":\"" + ThreatFixtures.CLEAN + "\",\"client_ip\":\"" + ThreatFixtures.CLEAN_IP
                + "\",\"urls\":[\"clean.example.org\",\"phish.example.net\"]}");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).startsWith("{\"malicious\":true,\"action\":\"reject\",\"reason\":\"vspam.org: phishing_url\"")
                .contains("\"ioc_type\":\"url\",\"ioc_value\":\"phish.example.net\"");
        assertThat(post("{\"sender_domain\":\"" + ThreatFixtures.CLEAN + "\",\"urls\":{}}").body())
                .as("no URLs, as UCL writes an empty table").isEqualTo("{\"malicious\":false,\"action\":\"allow\"}");
    }

    @ParameterizedTest
    @ValueSource(strings = {"2001:db8::66", "[2001:db8::66]", "http://[2001:DB8::66]:8080/x", "203.0.113.66", "https://user@203.0.113.66:443/"})
    void urlsGivenAsAddressesAreCheckedAsAddresses(String url) throws Exception {
        assertThat(post("{\"sender_domain\":\"" + ThreatFixtures.CLEAN + "\",\"urls\":[\"" + url + "\"]}").body())
                .startsWith("{\"malicious\":true,").contains("\"ioc_type\":\"ip\"");
    }

    /** Read without registering: the controller registers the counter, with its help text, when it first answers. */
    private static double skippedUrls() {
        var counter = agent.context().getBean(MeterRegistry.class).find("vspam.check.urls.skipped").counter();
        return counter == null ? 0 : counter.count();
    }

    /** One odd link in a body must not hide a listed sender: entries with no usable host are skipped and counted. */
    @Test
    void anUnusableUrlIsSkippedNotAReasonToDropTheVerdict() throws Exception {
        double before = skippedUrls();
        for (String odd : List.of("http://exa_mple.com/", "https://bücher.example/x", "mailto:x", "http://[::1", "", "http://?q")) {
            HttpResponse<String> response = post("{\"sender_domain\":\"" + ThreatFixtures.PHISH + "\",\"urls\":[\"" + odd + "\", 7]}");
            assertThat(response.statusCode()).as(odd).isEqualTo(200);
            assertThat(response.body()).as(odd).startsWith("{\"malicious\":true,").contains("\"ioc_value\":\"phish.example.net\"");
        }
        assertThat(skippedUrls() - before)
                .as("mailto:, the broken bracket, the empty entry, the missing host and the six numbers").isEqualTo(10.0);
        assertThat(post("{\"urls\":[\"https://bücher.example/x\"]}").statusCode()).as("an IDN host is a host").isEqualTo(200);
    }

    @Test
    void aDnsblListingHasNoEffectiveDecision() throws Exception {
        String yaml = AgentHarness.yaml(api, dnsbl).replaceFirst("api_url: .*", "api_url: \"\"") + "http_enabled: true\nhttp_listen: 127.0.0.1:0\n";
        HttpResponse<String> response;
        try (Agent dnsblOnly = AgentHarness.start(yaml)) {
            response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + dnsblOnly.httpPort() + "/check?sender_domain="
                    + ThreatFixtures.DNSBL_ONLY)).build(), HttpResponse.BodyHandlers.ofString());
        }
        assertThat(response.body()).isEqualTo("{\"malicious\":true,\"action\":\"reject\",\"reason\":\"vspam.org: aggregated_threat\","
                + "\"category\":\"aggregated_threat\",\"already_known\":true,\"ioc_type\":\"domain\",\"ioc_value\":\"dnsbl-only.example.net\","
                + "\"lookup_value\":\"dnsbl-only.example.net\"}");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "/check|{\"error\":\"sender_domain, client_ip or urls required\"}",
        "/check?sender_domain=&client_ip=|{\"error\":\"sender_domain, client_ip or urls required\"}",
        "/check?client_ip=999.1.1.1|{\"error\":\"client_ip: \\\"999.1.1.1\\\" is not an IP address\"}",
        "/check?sender_domain=a%20b.example|{\"error\":\"sender_domain: \\\"a b.example\\\" is not a domain name\"}",
    })
    void badQueriesAreA400WithOneLine(String query, String body) throws Exception {
        HttpResponse<String> response = get(query);
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).isEqualTo(body);
    }

    @Test
    void badBodiesAreA400WithOneLine() throws Exception {
        assertThat(post("{\"sender_domain\": ").statusCode()).isEqualTo(400);
        assertThat(post("{\"sender_domain\": ").body()).isEqualTo("{\"error\":\"request body is not a JSON object with sender_domain, client_ip or urls\"}");
        assertThat(post("[1,2]").statusCode()).isEqualTo(400);
        assertThat(post("{}").body()).isEqualTo("{\"error\":\"sender_domain, client_ip or urls required\"}");
        assertThat(post("{\"sender_domain\":\"" + "a".repeat(300) + ".example\"}").body()).contains("is longer than a DNS name can be");
        assertThat(post("{\"urls\":[\"mailto:x\"]}").body()).isEqualTo("{\"error\":\"urls: no usable host in 1 entry\"}");
        assertThat(post("{\"sender_domain\":7}").statusCode()).isEqualTo(400);
    }

    /** Odd headers are the client's mistake: a 4xx with one line, never a 5xx, and the log gets at most one line each. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "Content-Type|application/json; charset=bogus",
        "Content-Type|application/json; charset=",
        "Content-Type|application/json; charset=\"a b\"",
        "Content-Encoding|gzip",
        "Content-Encoding|deflate",
    })
    void oddHeadersAreAClientErrorNeverA5xx(String header, String value) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + agent.httpPort() + "/check"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"sender_domain\":\"" + ThreatFixtures.PHISH + "\"}"));
        request.header(header, value);
        if (!header.equals("Content-Type")) {
            request.header("Content-Type", "application/json");
        }
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isBetween(400, 499);
        assertThat(response.body()).startsWith("{\"error\":\"").doesNotContain("\n").doesNotContain("Exception");
    }

    /** At most milter_max_urls (20) distinct link hosts are looked up per request; the rest is counted, as the milter does. */
    @Test
    void linkHostsBeyondTheLimitAreCountedNotLookedUp() throws Exception {
        MeterRegistry registry = agent.context().getBean(MeterRegistry.class);
        double before = registry.find("vspam.check.links.skipped").counter() == null ? 0 : registry.get("vspam.check.links.skipped").counter().count();
        int lookups = api.lookups();
        StringBuilder urls = new StringBuilder();
        for (int i = 0; i < 30; i++) {
            urls.append(i == 0 ? "" : ",").append("\"https://host").append(i).append(".limit.example.org/\",\"https://host0.limit.example.org/x\"");
        }
        urls.append(",\"https://").append(ThreatFixtures.PHISH).append("/\"");
        HttpResponse<String> response = post("{\"urls\":[" + urls + "]}");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).as("the listed host came 31st").isEqualTo("{\"malicious\":false,\"action\":\"allow\"}");
        assertThat(registry.get("vspam.check.links.skipped").counter().count() - before).isEqualTo(11);
        assertThat(api.lookups() - lookups).as("20 looked up, at most").isLessThanOrEqualTo(20);
    }

    /**
     * A client that sends a stream of names the cache does not know spends at most its http_new_lookups_per_second (here
     * 2, so 20 at once) of the API's quota; beyond it, what the caches and the DNSBL know still decides.
     */
    @Test
    void aClientOverItsNewLookupBudgetGetsWhatTheCachesAndTheDnsblKnowAndTheApiSeesNoMore() throws Exception {
        String yaml = AgentHarness.yaml(api, dnsbl) + "http_enabled: true\nhttp_listen: 127.0.0.1:0\nhttp_new_lookups_per_second: 2\n";
        try (Agent bounded = AgentHarness.start(yaml); LogCapture log = LogCapture.of(NewLookupBudgets.class)) {
            URI check = URI.create("http://127.0.0.1:" + bounded.httpPort() + "/check?sender_domain=");
            assertThat(http.send(HttpRequest.newBuilder(URI.create(check + ThreatFixtures.PHISH)).build(), HttpResponse.BodyHandlers.ofString())
                    .body()).contains("\"malicious\":true");
            int lookups = api.lookups();
            long started = System.nanoTime();
            for (int i = 0; i < 60; i++) {
                HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create(check + "new" + i + ".budget.example.org")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(answer.statusCode()).isEqualTo(200);
                assertThat(answer.body()).isEqualTo("{\"malicious\":false,\"action\":\"allow\"}");
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            assertThat(api.lookups() - lookups).as("the burst (20) and 2 a second for %.1f s", seconds)
                    .isLessThanOrEqualTo(20 + (int) Math.ceil(seconds * 2));
            // over the budget: the cache still answers, and the DNSBL is still asked
            assertThat(http.send(HttpRequest.newBuilder(URI.create(check + ThreatFixtures.PHISH)).build(), HttpResponse.BodyHandlers.ofString())
                    .body()).contains("\"malicious\":true");
            assertThat(http.send(HttpRequest.newBuilder(URI.create(check + ThreatFixtures.DNSBL_ONLY)).build(), HttpResponse.BodyHandlers.ofString())
                    .body()).contains("\"malicious\":true");
            MeterRegistry registry = bounded.context().getBean(MeterRegistry.class);
            assertThat(registry.get("vspam.check.lookups.limited").counter().count()).isGreaterThanOrEqualTo(60 - 20 - Math.ceil(seconds * 2));
            assertThat(log.lines()).as("told once a minute, not per lookup").hasSize(1).first().asString()
                    .startsWith("WARN /check client 127.0.0.1 asks more than http_new_lookups_per_second 2 names the cache does not know");
            // not kept: a name looked up without the API is asked again, of the API, once the budget allows
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                int before = api.lookups();
                http.send(HttpRequest.newBuilder(URI.create(check + "new59.budget.example.org")).build(), HttpResponse.BodyHandlers.ofString());
                return api.lookups() > before;
            });
        }
    }

    @Test
    void aBodyLargerThan64KiBIsA413AndTheNextRequestIsAnswered() throws Exception {
        try (LogCapture log = LogCapture.of(HttpApiHandler.class)) {
            for (int i = 0; i < 3; i++) {
                assertThat(post("{\"sender_domain\":\"" + "a".repeat(2 << 20) + "\"}").statusCode()).isEqualTo(413);
            }
            assertThat(log.lines()).as("one line a minute at most, not one per request")
                    .filteredOn(line -> line.contains("refused with 413")).hasSizeLessThanOrEqualTo(1);
        }
        assertThat(post("{\"sender_domain\":\"" + ThreatFixtures.PHISH + "\"}").body()).contains("\"malicious\":true");
    }

    @Test
    void theFrameworksOwnAnswersToWrongPathsAndMethodsStay() throws Exception {
        assertThat(get("/nowhere").statusCode()).isEqualTo(404);
        assertThat(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + agent.httpPort() + "/health"))
                .DELETE().build(), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(405);
    }

    /** Exim's ${readsocket}: a bare HTTP/1.0 request, then read until the agent closes. */
    @Test
    void aOneShotHttp10RequestIsAnsweredAndClosed() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", agent.httpPort())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(("GET /check?sender_domain=" + ThreatFixtures.PHISH + "&client_ip=192.0.2.10 HTTP/1.0\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            in.transferTo(all); // returns only once the agent has closed the connection
            String response = all.toString(StandardCharsets.UTF_8);
            assertThat(response).startsWith("HTTP/1.0 200").contains("\"malicious\":true");
        }
    }

    /**
     * Exim's ${readsocket} half-closes its side right after the request; an answer that still has to
     * wait for the API (nothing cached) must arrive all the same, not be cut off by that close.
     */
    @Test
    void aRequestWhoseSenderHalfClosesStillGetsItsAnswer() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", agent.httpPort())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(("GET /check?sender_domain=" + ThreatFixtures.SPAMMY + " HTTP/1.0\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            socket.shutdownOutput();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            socket.getInputStream().transferTo(all);
            assertThat(all.toString(StandardCharsets.UTF_8)).startsWith("HTTP/1.0 200").contains("\"malicious\":true")
                    .contains("\"category\":\"spam_source\"");
        }
    }

    @Test
    void healthIsOkWhileServing() throws Exception {
        HttpResponse<String> response = get("/health");
        assertThat(response.statusCode()).isEqualTo(200);
        // the sources' states are details: a failing upstream never takes a fail-open agent out of service
        assertThat(response.body()).matches("\\{\"status\":\"ok\",\"config\":\"[0-9a-f]{16}\",\"sources\":\\{\"api\":\\{\"state\":\"(unknown|up)\"},"
                + "\"dnsbl\":\\{\"state\":\"(unknown|up)\"}}}");
    }

    @Test
    void metricsPassPromtoolAndMoveWithTraffic() throws Exception {
        get("/check?sender_domain=" + ThreatFixtures.BOTNET);
        HttpResponse<String> response = get("/metrics");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).startsWith("text/plain"));
        String metrics = response.body();
        assertThat(metrics).containsPattern("vspam_decisions_total\\{transport=\"http\",verdict=\"listed\"} [1-9]")
                .contains("vspam_decision_duration_seconds_bucket{transport=\"http\"")
                .containsPattern("vspam_lookups_total\\{outcome=\"listed\",source=\"api\"} [1-9]")
                // what a container's memory limit is about, beside the JVM's heap and non-heap
                .containsPattern("(?m)^process_resident_memory_bytes [1-9]")
                .doesNotContain("botnet.example.net");

        Path file = Files.createTempFile("metrics", ".prom");
        Files.writeString(file, metrics);
        Process promtool = new ProcessBuilder(Tools.require("promtool", "apt-get install prometheus").toString(), "check", "metrics")
                .redirectInput(file.toFile()).redirectErrorStream(true).start();
        String output = new String(promtool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(promtool.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(promtool.exitValue()).as(output).isZero();
        Files.delete(file);
    }
}
