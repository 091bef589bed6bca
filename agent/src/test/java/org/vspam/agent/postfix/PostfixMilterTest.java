package org.vspam.agent.postfix;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.vspam.agent.Agent;
import org.vspam.agent.testing.AgentHarness;
import org.vspam.agent.testing.Commands;
import org.vspam.agent.testing.FakeVspamApi;
import org.vspam.agent.testing.PostfixInstance;
import org.vspam.agent.testing.ThreatFixtures;

/**
 * Debian's real Postfix with {@code smtpd_milters} on the agent's milter socket, configured as the
 * README says, and swaks sending real MIME messages: a link to a listed host anywhere a reader would
 * follow it is refused at the end of DATA, clean mail is queued, monitor mode tags it, and a stopped
 * agent stops nothing.
 */
@Timeout(300)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PostfixMilterTest {
    /** The milter's own refusal names what it found: the link, and the family of its listing. */
    private static final String REFUSED = "<** 550 5.7.1 Message rejected: a link in it leads to ";
    private static final String REFUSED_PHISH = REFUSED + ThreatFixtures.PHISH + ", listed in vspam.org (phishing)";
    private static final String SENDER = "alice@" + ThreatFixtures.CLEAN;
    private static final String IDN_HOST = "bücher-phish.example";
    private static FakeVspamApi api;
    private static Agent agent;
    private static PostfixInstance postfix;
    private static Path work;
    private static String base;

    @BeforeAll
    static void start() throws Exception {
        api = new FakeVspamApi();
        api.list(IDN_HOST, "phishing_url", "url");
        // Postfix's uid reaches the socket through this directory, as through the pod's shared emptyDir.
        work = Files.createTempDirectory(Path.of("/var/tmp"), "vspam-milter-");
        Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path socket = work.resolve("milter.sock");
        base = """
                api_url: %s
                api_key: vspam_test_key
                dnsbl_enabled: false
                listen: tcp://127.0.0.1:0
                cache_path: ""
                decision_timeout: 2s
                milter_listen: unix:%s
                milter_socket_mode: "0666"
                """.formatted(api.baseUrl(), socket);
        agent = AgentHarness.start(base);
        // The README's lines; delivery is held so a message stays in the queue to be read.
        postfix = PostfixInstance.start("inet:127.0.0.1:" + agent.policyServer().port(), """
                smtpd_milters = unix:%s
                milter_protocol = 6
                milter_default_action = accept
                milter_connect_timeout = 10s
                milter_content_timeout = 30s
                message_size_limit = 40000000
                defer_transports = local smtp relay
                """.formatted(socket));
    }

    @AfterAll
    static void stop() throws Exception {
        if (postfix != null) {
            postfix.close();
        }
        if (agent != null) {
            agent.close();
        }
        api.close();
        Commands.run(List.of("rm", "-rf", work.toString()));
    }

    private static String send(String message) throws Exception {
        return send(ThreatFixtures.CLEAN_IP, message);
    }

    private static String send(String client, String message) throws Exception {
        return sendTo("user@example.org", client, message);
    }

    private static String sendTo(String recipient, String client, String message) throws Exception {
        Path file = Files.createTempFile(work, "message", ".eml");
        Files.writeString(file, message, StandardCharsets.UTF_8);
        return postfix.sendMessage(SENDER, client, file, recipient);
    }

    private static String message(String contentType, String encoding, String body) {
        return "From: <" + SENDER + ">\nTo: <user@example.org>\nSubject: your account\nMIME-Version: 1.0\nContent-Type: " + contentType
                + (encoding == null ? "" : "\nContent-Transfer-Encoding: " + encoding) + "\n\n" + body;
    }

    private static String queueId(String transcript) {
        Matcher queued = Pattern.compile("250 2\\.0\\.0 Ok: queued as (\\w+)").matcher(transcript);
        assertThat(queued.find()).as(transcript).isTrue();
        return queued.group(1);
    }

    @Test
    @Order(1)
    void aPlainTextLinkToAListedHostIsRefusedAtTheEndOfData() throws Exception {
        String transcript = send(message("text/plain; charset=utf-8", null, "Dear customer,\nverify at https://" + ThreatFixtures.PHISH
                + "/login today.\n"));
        assertThat(transcript).contains("-> .").contains(REFUSED_PHISH);
        // reported as the link it is
        await("the refused link host reported").atMost(Duration.ofSeconds(10)).until(() -> api.reports().stream()
                .anyMatch(report -> report.body().contains("\"ioc_type\":\"url\"") && report.body().contains("\"ioc_value\":\"" + ThreatFixtures.PHISH + "\"")
                        && report.body().contains("via milter")));
    }

    @Test
    @Order(2)
    void anHtmlLinkInQuotedPrintableAndInBase64IsFound() throws Exception {
        // a soft line break in the middle of the host: only decoding finds it
        String quoted = "<html><body><p>Sign in:</p><a href=3D\"https://phish.exa=\nmple.net/login\">here</a></body></html>\n";
        assertThat(send(message("text/html; charset=utf-8", "quoted-printable", quoted))).contains(REFUSED);
        String html = "<html><body><a href=\"https://" + ThreatFixtures.PHISH + "/x\">your invoice</a></body></html>";
        String base64 = Base64.getMimeEncoder().encodeToString(html.getBytes(StandardCharsets.UTF_8)) + "\n";
        assertThat(send(message("text/html; charset=utf-8", "base64", base64))).contains(REFUSED);
    }

    @Test
    @Order(3)
    void aMultipartAlternativeMessageWhoseHtmlLinkShowsACleanHostAndGoesToAListedOne() throws Exception {
        String body = """
                --b1
                Content-Type: text/plain; charset=utf-8

                Your statement is at https://www.%1$s/statement
                --b1
                Content-Type: text/html; charset=utf-8

                <p>Your statement is at <a href="https://%2$s/statement">https://www.%1$s/statement</a></p>
                --b1--
                """.formatted(ThreatFixtures.CLEAN, ThreatFixtures.PHISH);
        assertThat(send(message("multipart/alternative; boundary=\"b1\"", null, body))).contains(REFUSED);
    }

    @Test
    @Order(4)
    void anIdnLinkIsLookedUpByItsNormalizedName() throws Exception {
        String transcript = send(message("text/plain; charset=utf-8", "8bit", "Ihre Bestellung: https://BÜCHER-Phish.example./bestellung\n"));
        assertThat(transcript).contains(REFUSED + "xn--bcher-phish-thb.example, listed in vspam.org (phishing)");
    }

    /** A listed host written as phishing kits hide it, each in a message of its own, in HTML as they send it: each refused. */
    @Test
    @Order(4)
    void aHostHiddenTheWayKitsHideItIsFound() throws Exception {
        String percentEncoded = ThreatFixtures.PHISH.chars().mapToObj(c -> "%%%02X".formatted(c)).collect(Collectors.joining());
        String fullWidth = ThreatFixtures.PHISH.chars().mapToObj(c -> Character.toString(c + 0xFEE0)).collect(Collectors.joining()); // ｐｈｉｓｈ．...
        List<String> hidden = List.of(
                "<a href=\"https://" + percentEncoded + "/login\">sign in</a>",
                "<a href=\"https://" + fullWidth + "/login\">sign in</a>",
                "<a href=\"//" + ThreatFixtures.PHISH + "/login\">sign in</a>",
                "<a href=\"https:\\\\" + ThreatFixtures.PHISH + "\\login\">sign in</a>",
                "<a href=\"https://" + ThreatFixtures.CLEAN + "/out?u=https%3A%2F%2F" + ThreatFixtures.PHISH + "%2Flogin\">sign in</a>",
                "<meta http-equiv=\"refresh\" content=\"0;url=https://" + ThreatFixtures.PHISH + "/\">",
                "<p>Or copy this address into your browser: https://" + ThreatFixtures.PHISH + "/login</p>");
        for (String html : hidden) {
            String encoded = Base64.getMimeEncoder().encodeToString(("<html><body>" + html + "</body></html>").getBytes(StandardCharsets.UTF_8));
            assertThat(send(message("text/html; charset=utf-8", "base64", encoded + "\n"))).as(html).contains(REFUSED);
        }
    }

    @Test
    @Order(5)
    void aCleanMessageIsQueued() throws Exception {
        String transcript = send(message("text/plain; charset=utf-8", null, "The agenda is at https://" + ThreatFixtures.CLEAN + "/agenda\n"));
        assertThat(transcript).doesNotContain("<** ");
        assertThat(postfix.queued(queueId(transcript))).doesNotContain("X-Vspam");
    }

    @Test
    @Order(6)
    void inMonitorModeTheMessageIsQueuedWithTheHeader() throws Exception {
        agent.reload(AgentHarness.config(base + "mode: monitor\n"));
        try {
            String transcript = send(message("text/plain", null, "https://" + ThreatFixtures.PHISH + "/\n"));
            assertThat(transcript).doesNotContain("<** ");
            assertThat(postfix.queued(queueId(transcript))).contains("X-Vspam: listed; category=phishing_url; indicator=url");
        } finally {
            agent.reload(AgentHarness.config(base));
        }
    }

    @Test
    @Order(7)
    void anAllowedClientIsNotLookedUp() throws Exception {
        agent.reload(AgentHarness.config(base + "allow_clients: [\"198.51.100.0/24\"]\n"));
        try {
            int before = api.lookups();
            String transcript = send("198.51.100.7", message("text/plain", null, "https://never-seen-before.example.com/ and https://"
                    + ThreatFixtures.PHISH + "/\n"));
            assertThat(transcript).doesNotContain("<** ");
            assertThat(api.lookups()).as("nothing looked up for an allowed client").isEqualTo(before);
        } finally {
            agent.reload(AgentHarness.config(base));
        }
    }

    /**
     * RFC 2142: a phish forwarded to the abuse desk as an attached message reaches it, with the header that says
     * what was found; the same message to anyone else is refused, the refusal naming the link.
     */
    @Test
    @Order(7)
    void aPhishForwardedToTheAbuseDeskGetsThroughWithTheHeader() throws Exception {
        String forwarded = message("multipart/mixed; boundary=\"fwd\"", null, """
                --fwd
                Content-Type: text/plain; charset=utf-8

                Reported by a user, see the attached message.
                --fwd
                Content-Type: message/rfc822

                From: "Your Bank" <security@bank.example.org>
                Subject: Verify your account
                Content-Type: text/html; charset=utf-8

                <p>Your account is locked. <a href="https://%s/unlock">Unlock it now</a></p>
                --fwd--
                """.formatted(ThreatFixtures.PHISH));
        String desk = sendTo("abuse@example.org", ThreatFixtures.CLEAN_IP, forwarded);
        assertThat(desk).doesNotContain("<** ");
        assertThat(postfix.queued(queueId(desk))).contains("X-Vspam: listed; category=phishing_url; indicator=url");
        assertThat(sendTo("user@example.org", ThreatFixtures.CLEAN_IP, forwarded)).contains(REFUSED_PHISH);
    }

    @Test
    @Order(8)
    void fiveHundredLinksAreCappedCountedAndAnswered() throws Exception {
        MeterRegistry metrics = agent.context().getBean(MeterRegistry.class);
        double skippedBefore = metrics.get("vspam.milter.links.skipped").counter().count();
        StringBuilder body = new StringBuilder();
        for (int i = 0; i < 500; i++) {
            body.append("https://host").append(i).append(".example.com/\n");
        }
        body.append("https://").append(ThreatFixtures.PHISH).append("/ comes after the limit\n");
        String transcript = send(message("text/plain", null, body.toString()));
        assertThat(transcript).as("the listed host beyond milter_max_urls is not checked").doesNotContain("<** ");
        assertThat(metrics.get("vspam.milter.links.skipped").counter().count() - skippedBefore).isEqualTo(481);
    }

    @Test
    @Order(9)
    void aTwentyMegabyteMessageIsAnswered() throws Exception {
        byte[] attachment = new byte[20 << 20];
        new Random(23).nextBytes(attachment);
        String body = """
                --mixed
                Content-Type: text/plain; charset=utf-8

                The report: https://%s/report
                --mixed
                Content-Type: application/octet-stream; name="report.bin"
                Content-Transfer-Encoding: base64

                %s
                --mixed--
                """.formatted(ThreatFixtures.PHISH, Base64.getMimeEncoder().encodeToString(attachment));
        assertThat(send(message("multipart/mixed; boundary=\"mixed\"", null, body))).contains(REFUSED);
        assertThat(postfix.maillog()).as("no milter timeout or error in Postfix's log").doesNotContainPattern("warning: .*[Mm]ilter");
    }

    @Test
    @Order(10)
    void withTheAgentStoppedMailIsAccepted() throws Exception {
        agent.close();
        String transcript = send(message("text/plain", null, "https://" + ThreatFixtures.PHISH + "/\n"));
        assertThat(transcript).doesNotContain("<** ").contains("Ok: queued as");
    }
}
