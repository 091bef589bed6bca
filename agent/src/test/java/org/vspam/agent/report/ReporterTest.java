package org.vspam.agent.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.serde.ObjectMapper;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.vspam.agent.Agent;
import org.vspam.agent.testing.AgentHarness;
import org.vspam.agent.testing.FakeVspamApi;
import org.vspam.agent.testing.FakeVspamApi.ReportAnswer;
import org.vspam.agent.testing.PolicyClient;
import org.vspam.agent.testing.ThreatFixtures;

/** Reporting blocked senders against the stand-in vspam.org API. */
@Timeout(60)
class ReporterTest {
    private static final String KEY = "vspam_report_key";
    private FakeVspamApi api;

    @BeforeEach
    void start() throws Exception {
        api = new FakeVspamApi();
    }

    @AfterEach
    void stop() {
        api.close();
    }

    private Agent agent(String extra) throws Exception {
        return AgentHarness.start("api_url: " + api.baseUrl() + "\napi_key: " + KEY + "\ndnsbl_enabled: false\ncache_path: \"\"\n"
                + "listen: tcp://127.0.0.1:0\n" + extra);
    }

    private static void ask(Agent agent, String... domains) throws Exception {
        try (PolicyClient postfix = PolicyClient.tcp(agent.policyServer().port())) {
            for (String domain : domains) {
                postfix.ask("someone@" + domain, ThreatFixtures.CLEAN_IP);
            }
        }
    }

    private static double reports(Agent agent, String outcome) {
        return agent.context().getBean(MeterRegistry.class).counter("vspam.reports", "outcome", outcome).count();
    }

    private List<String> reportedValues() {
        return api.reports().stream().filter(r -> r.status() < 300).map(r -> read(r.body()).iocValue()).toList();
    }

    private static ThreatReport read(String body) {
        try {
            return ObjectMapper.getDefault().readValue(body, ThreatReport.class);
        } catch (Exception e) {
            throw new AssertionError("not a report: " + body, e);
        }
    }

    @Test
    void aBlockedSenderIsReportedWithTheKeyAndTheRightFields() throws Exception {
        try (Agent agent = agent("")) {
            ask(agent, ThreatFixtures.PHISH);
            await().atMost(Duration.ofSeconds(10)).until(() -> api.reports().size() == 1);

            FakeVspamApi.Report report = api.reports().getFirst();
            assertThat(report.apiKey()).isEqualTo(KEY);
            ThreatReport body = read(report.body());
            assertThat(body.iocType()).isEqualTo("domain");
            assertThat(body.iocValue()).isEqualTo(ThreatFixtures.PHISH);
            assertThat(body.category()).isEqualTo("phishing");
            assertThat(body.evidence()).contains("refused via policy").contains("phishing_url").doesNotContain(KEY);
            await().until(() -> reports(agent, "sent") == 1);
        }
    }

    @Test
    void allowedSendersAreNeverReportedAndNoIndicatorTwiceWithinTheTtl() throws Exception {
        try (Agent agent = agent("")) {
            ask(agent, ThreatFixtures.CLEAN, ThreatFixtures.SUSPICIOUS, ThreatFixtures.MALWARE, ThreatFixtures.MALWARE, ThreatFixtures.CLEAN);
            ask(agent, ThreatFixtures.MALWARE);
            await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5)).until(() -> api.reports().size() == 1);
            assertThat(reportedValues()).containsExactly(ThreatFixtures.MALWARE);
        }
    }

    @Test
    void unavailableThenAcceptedIsRetriedHonouringRetryAfterAndDeliveredOnce() throws Exception {
        api.answerReports(new ReportAnswer(503, "1"));
        try (Agent agent = agent("")) {
            ask(agent, ThreatFixtures.BOTNET);
            await().atMost(Duration.ofSeconds(15)).until(() -> api.reports().size() == 2);
            assertThat(api.reports()).extracting(FakeVspamApi.Report::status).containsExactly(503, 201);
            assertThat(reportedValues()).containsExactly(ThreatFixtures.BOTNET);
            await().until(() -> reports(agent, "sent") == 1);
            assertThat(reports(agent, "retried")).isEqualTo(1);
        }
    }

    @Test
    void aRefusedReportIsDroppedNotRetried() throws Exception {
        api.answerReports(new ReportAnswer(422, null));
        try (Agent agent = agent("")) {
            ask(agent, ThreatFixtures.TORNODE);
            await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(5)).until(() -> api.reports().size() == 1);
            await().until(() -> reports(agent, "dropped_rejected") == 1);
        }
    }

    @Test
    void aFullQueueDropsTheOldestAndCountsIt() throws Exception {
        api.holdReports();
        try (Agent agent = agent("queue_size: 2\n")) {
            MeterRegistry meters = agent.context().getBean(MeterRegistry.class);
            ask(agent, ThreatFixtures.PHISH);
            // the worker has taken the first report and waits on the API; the queue is empty again
            await().until(() -> meters.get("vspam.report.queue.depth").gauge().value() == 0);
            ask(agent, ThreatFixtures.MALWARE, ThreatFixtures.BOTNET, ThreatFixtures.SPAMMY, ThreatFixtures.TORNODE);
            assertThat(reports(agent, "dropped_queue_full")).isEqualTo(2);

            api.releaseReports();
            await().atMost(Duration.ofSeconds(10)).until(() -> api.reports().size() == 3);
            assertThat(reportedValues()).containsExactly(ThreatFixtures.PHISH, ThreatFixtures.SPAMMY, ThreatFixtures.TORNODE);
        }
    }

    @Test
    void stoppingTheAgentFlushesTheQueueFirst() throws Exception {
        Agent agent = agent("");
        ask(agent, ThreatFixtures.PHISH, ThreatFixtures.MALWARE, ThreatFixtures.BOTNET, ThreatFixtures.SPAMMY);
        agent.close();
        assertThat(reportedValues()).as("delivered before close() returned")
                .containsExactlyInAnyOrder(ThreatFixtures.PHISH, ThreatFixtures.MALWARE, ThreatFixtures.BOTNET, ThreatFixtures.SPAMMY);
    }

    @Test
    void withoutAKeyNothingIsReported() throws Exception {
        try (Agent agent = AgentHarness.start("api_url: " + api.baseUrl() + "\ndnsbl_enabled: false\ncache_path: \"\"\nlisten: tcp://127.0.0.1:0\n")) {
            ask(agent, ThreatFixtures.PHISH);
            assertThat(agent.context().findBean(Reporter.class)).isEmpty();
            await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).until(() -> api.reports().isEmpty());
        }
    }

    @Test
    void retryAfterIsSecondsOrAnHttpDate() {
        java.time.Clock clock = java.time.Clock.fixed(Instant.parse("2026-11-24T10:00:00Z"), ZoneOffset.UTC);
        assertThat(RetryAfter.parse("120", clock)).contains(Duration.ofMinutes(2));
        String date = DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.parse("2026-11-24T10:00:30Z"));
        assertThat(RetryAfter.parse(date, clock)).contains(Duration.ofSeconds(30));
        assertThat(RetryAfter.parse("soon", clock)).isEmpty();
        assertThat(RetryAfter.parse(null, clock)).isEmpty();
    }
}
