package org.vspam.agent.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micronaut.serde.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.vspam.agent.indicator.Indicator;
import org.vspam.agent.lookup.Lookup;
import org.vspam.agent.lookup.Source;
import org.vspam.agent.testing.DelayRelay;
import org.vspam.agent.testing.FakeVspamApi;
import org.vspam.agent.testing.ThreatFixtures;
import org.vspam.agent.verdict.Verdict;
import org.vspam.config.ApiKey;

class VspamApiSourceTest {
    private static FakeVspamApi api;
    private static HttpClient http;

    @BeforeAll
    static void start() throws Exception {
        api = new FakeVspamApi();
        http = HttpClient.newHttpClient();
    }

    @AfterAll
    static void stop() {
        api.close();
        http.close();
    }

    private static VspamApiSource source(ApiKey key, URI base) {
        return new VspamApiSource(base, key, Optional.empty(), Duration.ofMillis(500), http, HttpClient::newHttpClient, ObjectMapper.getDefault(),
                "vspam-agent/test");
    }

    private static Lookup lookup(String domain) {
        api.mode(FakeVspamApi.Mode.NORMAL);
        return source(ApiKey.NONE, api.baseUrl()).lookup(Indicator.domain(domain)).join();
    }

    @ParameterizedTest
    @CsvSource({
        "phish.example.net, phishing_url",
        "malware.example.net, malware_domain",
        "botnet.example.net, botnet_c2",
        "spammy.example.net, spam_source",
        "tornode.example.net, tor_exit_node",
        "future.example.net, quantum_phishing",
        "legacy.example.net, phishing_url",
    })
    void listedIndicatorsCarryTheirCategory(String domain, String category) {
        Lookup lookup = lookup(domain);
        assertThat(lookup).isInstanceOf(Lookup.Answered.class);
        Verdict verdict = ((Lookup.Answered) lookup).verdict();
        assertThat(verdict).isInstanceOfSatisfying(Verdict.Listed.class, listed -> assertThat(listed.category()).isEqualTo(category));
    }

    /**
     * An API that keeps failing is left alone for a moment instead of being asked once per lookup (a
     * connection each, under load), then probed; once it answers, every lookup goes to it again.
     */
    @Test
    void anApiThatKeepsFailingIsPausedThenProbed() {
        VspamApiSource source = source(ApiKey.NONE, api.baseUrl());
        api.mode(FakeVspamApi.Mode.SERVER_ERROR);
        int before = api.lookups();
        for (int i = 0; i < 10; i++) {
            assertThat(source.lookup(Indicator.domain("failing" + i + ".example.org")).join())
                    .isInstanceOfSatisfying(Lookup.Skipped.class, skipped -> assertThat(skipped.reason()).isEqualTo(Lookup.Reason.ERROR));
        }
        assertThat(api.lookups() - before).isEqualTo(10);
        for (int i = 0; i < 100; i++) {
            assertThat(source.lookup(Indicator.domain("paused" + i + ".example.org")).join())
                    .isInstanceOfSatisfying(Lookup.Skipped.class, skipped -> {
                        assertThat(skipped.reason()).as("not an observation of the API's health").isEqualTo(Lookup.Reason.DISABLED);
                        assertThat(skipped.detail()).startsWith("paused: most recent lookups failed");
                    });
        }
        assertThat(api.lookups() - before).as("nothing reached the API while paused").isEqualTo(10);

        api.mode(FakeVspamApi.Mode.NORMAL);
        await("probed again after the pause, and answered").atMost(Duration.ofSeconds(5))
                .until(() -> source.lookup(Indicator.domain(ThreatFixtures.PHISH)).join() instanceof Lookup.Answered);
        for (int i = 0; i < 20; i++) {
            assertThat(source.lookup(Indicator.domain(ThreatFixtures.CLEAN)).join()).isInstanceOf(Lookup.Answered.class);
        }
    }

    /**
     * After a blackhole the API answers at once: no lookup waits on a connection that was pooled before the
     * outage and died without a word during it (here the relay's: it swallows everything on connections open
     * during the blackhole, for good). Without a fresh pool those lookups timed out one by one after the API
     * was back, and its outage was announced a second time.
     */
    @Test
    void afterABlackholeNoLookupWaitsOnAConnectionThatDiedDuringIt() throws Exception {
        api.mode(FakeVspamApi.Mode.NORMAL);
        try (DelayRelay relay = DelayRelay.to(api.baseUrl().getPort()); HttpClient pooled = HttpClient.newHttpClient()) {
            VspamApiSource source = new VspamApiSource(URI.create("http://127.0.0.1:" + relay.port()), ApiKey.NONE, Optional.empty(),
                    Duration.ofMillis(300), pooled, HttpClient::newHttpClient, ObjectMapper.getDefault(), "vspam-agent/test");
            // a pool of connections, as under load
            List<CompletableFuture<Lookup>> warm = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                warm.add(source.lookup(Indicator.domain("warm" + i + ".example.org")));
            }
            warm.forEach(lookup -> assertThat(lookup.join()).isInstanceOf(Lookup.Answered.class));

            relay.blackhole();
            await("the outage noticed and the API paused").atMost(Duration.ofSeconds(10)).until(() ->
                    source.lookup(Indicator.domain("during.example.org")).join() instanceof Lookup.Skipped skipped
                            && skipped.reason() == Lookup.Reason.DISABLED);
            relay.heal();
            // Asked four at a time for three seconds: answered once the pause is over, and never a timeout.
            List<Lookup> after = new CopyOnWriteArrayList<>();
            await("no lookup after the blackhole waits on a dead connection").during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(4))
                    .pollInterval(Duration.ofMillis(50)).until(() -> {
                        List<CompletableFuture<Lookup>> four = new ArrayList<>();
                        for (int i = 0; i < 4; i++) {
                            four.add(source.lookup(Indicator.domain("after" + after.size() + "-" + i + ".example.org")));
                        }
                        four.forEach(lookup -> after.add(lookup.join()));
                        return after.stream().noneMatch(lookup -> lookup instanceof Lookup.Skipped skipped && skipped.reason() != Lookup.Reason.DISABLED);
                    });
            assertThat(after).as("answered again").anyMatch(lookup -> lookup instanceof Lookup.Answered);
        }
    }

    @Test
    void listedVerdictsKeepTheEffectiveDecision() {
        Verdict.Listed listed = (Verdict.Listed) ((Lookup.Answered) lookup(ThreatFixtures.PHISH)).verdict();
        assertThat(listed.details().effectiveDecision().verdict()).isEqualTo("malicious");
        assertThat(listed.details().effectiveDecision().listed()).isTrue();
        assertThat(listed.details().iocType()).isEqualTo("domain");
    }

    @Test
    void scoredButUnlistedIsSuspicious() {
        Verdict verdict = ((Lookup.Answered) lookup(ThreatFixtures.SUSPICIOUS)).verdict();
        assertThat(verdict).isInstanceOfSatisfying(Verdict.Suspicious.class, suspicious -> {
            assertThat(suspicious.details().scoring().score()).isEqualTo("61.0000");
            assertThat(suspicious.details().effectiveDecision().verdict()).isEqualTo("suspicious");
        });
    }

    @Test
    void notFoundIsADefinitiveClean() {
        assertThat(lookup(ThreatFixtures.CLEAN)).isEqualTo(new Lookup.Answered(Source.API, Verdict.CLEAN));
    }

    @Test
    void theKeyedPathIsUsedWithAKeyAndThePublicPathWithout() {
        source(new ApiKey("vspam_test_key"), api.baseUrl()).lookup(Indicator.ip("203.0.113.66")).join();
        source(ApiKey.NONE, api.baseUrl()).lookup(Indicator.ip("203.0.113.66")).join();

        String hash = FakeVspamApi.sha256("203.0.113.66");
        assertThat(api.requests()).contains(
                new FakeVspamApi.Request("GET", "/api/v1/lookup/" + hash, "vspam_test_key"),
                new FakeVspamApi.Request("GET", "/api/v1/public/lookup/" + hash, null));
    }

    @ParameterizedTest
    @CsvSource({"SERVER_ERROR, ERROR, HTTP 500 Internal Server Error", "GARBAGE, ERROR, answer is not the expected JSON",
        "HANG, TIMEOUT, no answer within 500ms (127.0.0.1:PORT)"})
    void failuresAreNotAnswers(FakeVspamApi.Mode mode, Lookup.Reason reason, String detail) {
        api.mode(mode);
        Lookup lookup = source(ApiKey.NONE, api.baseUrl()).lookup(Indicator.domain(ThreatFixtures.PHISH)).join();
        assertThat(lookup).isEqualTo(new Lookup.Skipped(Source.API, reason, detail.replace("PORT", String.valueOf(api.baseUrl().getPort()))));
    }

    /** What the operator reads in the log when every lookup fails, with what to do about it. */
    @ParameterizedTest
    @CsvSource({"401, HTTP 401 Unauthorized — check api_key", "403, HTTP 403 Forbidden — check api_key",
        "429, HTTP 429 Too Many Requests — more lookups than the key allows", "503, HTTP 503 Service Unavailable", "418, HTTP 418"})
    void statusesAreExplained(int status, String detail) {
        assertThat(ApiProblem.ofStatus(status)).isEqualTo(detail);
    }

    @Test
    void aRefusedConnectionIsAnError() throws Exception {
        int closedPort;
        try (var socket = new java.net.ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        Lookup lookup = source(ApiKey.NONE, URI.create("http://localhost:" + closedPort)).lookup(Indicator.domain("example.net")).join();
        assertThat(lookup).isEqualTo(new Lookup.Skipped(Source.API, Lookup.Reason.ERROR, "connection refused (localhost:" + closedPort + ")"));
    }

    @Test
    void aNameThatDoesNotResolveIsAnErrorSayingSo() {
        Lookup lookup = source(ApiKey.NONE, URI.create("https://api.vspam.invalid")).lookup(Indicator.domain("example.net")).join();
        assertThat(lookup).isEqualTo(new Lookup.Skipped(Source.API, Lookup.Reason.ERROR, "cannot resolve api.vspam.invalid"));
    }
}
