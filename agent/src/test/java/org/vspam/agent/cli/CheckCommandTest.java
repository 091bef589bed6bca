package org.vspam.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.vspam.agent.indicator.Indicator;
import org.vspam.agent.testing.AgentHarness;
import org.vspam.agent.testing.FakeVspamApi;
import org.vspam.agent.testing.Rbldnsd;
import org.vspam.agent.testing.RedisServer;
import org.vspam.agent.testing.ThreatFixtures;
import picocli.CommandLine;

/** {@code vspam-agent check}: the same chain as the daemon, explained step by step, with exit status 0, 1 or 2. */
@Timeout(60)
class CheckCommandTest {
    private static FakeVspamApi api;
    private static Rbldnsd dnsbl;

    @TempDir
    static Path dir;

    @BeforeAll
    static void start() throws Exception {
        api = new FakeVspamApi();
        dnsbl = Rbldnsd.start();
    }

    @AfterAll
    static void stop() throws Exception {
        dnsbl.close();
        api.close();
    }

    private record Run(int status, String out, String err) {
    }

    private static Run check(String yaml, String... arguments) throws Exception {
        Path config = Files.writeString(Files.createTempFile(dir, "agent", ".yml"), yaml);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine command = VspamCommand.commandLine(Map.of());
        command.setOut(new PrintWriter(out, true));
        command.setErr(new PrintWriter(err, true));
        List<String> args = new ArrayList<>(List.of("--config", config.toString(), "check"));
        args.addAll(List.of(arguments));
        int status = command.execute(args.toArray(String[]::new));
        return new Run(status, out.toString(), err.toString());
    }

    private static String agentYaml() {
        return AgentHarness.yaml(api, dnsbl);
    }

    /** A phish forwarded to the abuse desk as an attachment: accepted there with the header, refused to anyone else, naming the link. */
    @Test
    void aPhishForwardedToAbuseIsAcceptedWithTheHeaderAndRefusedToOthers() throws Exception {
        Path message = Files.writeString(dir.resolve("forwarded.eml"), """
                Return-Path: <alice@clean.example.org>
                From: <alice@clean.example.org>
                Subject: Fwd: Verify your account
                MIME-Version: 1.0
                Content-Type: multipart/mixed; boundary="fwd"

                --fwd
                Content-Type: text/plain

                This came in today.
                --fwd
                Content-Type: message/rfc822

                From: <security@bank.example.org>
                Content-Type: text/html

                <a href="https://phish.example.net/unlock">Unlock</a>
                --fwd--
                """);
        Run desk = check(agentYaml(), "--message", message.toString(), "--rcpt", "Abuse@example.org");
        assertThat(desk.status()).as(desk.err()).isEqualTo(CheckCommand.EXIT_CLEAN);
        assertThat(desk.out()).contains(", for Abuse@example.org, 1 link host")
                .contains("verdict: listed: phish.example.net (phishing_url); not refused: a recipient is allowed (allow_recipients: abuse@)")
                .contains("the MTA adds \"X-Vspam: listed; category=phishing_url; indicator=url\", then accepts the message");

        Run user = check(agentYaml(), "--message", message.toString(), "--rcpt", "user@example.org");
        assertThat(user.status()).isEqualTo(CheckCommand.EXIT_LISTED);
        assertThat(user.out()).contains("the MTA refuses the message: 550 5.7.1 Message rejected: a link in it leads to phish.example.net, "
                + "listed in vspam.org (phishing)");

        Run sender = check(agentYaml(), "phish.example.net", "--rcpt", "postmaster@example.org");
        assertThat(sender.status()).isEqualTo(CheckCommand.EXIT_CLEAN);
        assertThat(sender.out()).contains("verdict: not looked up — allowed by allow_recipients: postmaster@").contains("Postfix hears: action=DUNNO");
    }

    /** A saved message, as a postmaster attaches it to a false-positive report: each host explained, and what the MTA was told. */
    @Test
    void aSavedMessageIsExplainedAsTheMilterDecidesIt() throws Exception {
        Path message = Files.writeString(dir.resolve("report.eml"), """
                Return-Path: <billing@clean.example.org>
                From: "Billing" <billing@clean.example.org>
                Subject: Your invoice
                MIME-Version: 1.0
                Content-Type: text/html; charset=utf-8
                Content-Transfer-Encoding: quoted-printable

                <p>Pay <a href=3D"https://phish.example.net/pay">at clean.example.org</a></p>
                """);
        Run run = check(agentYaml(), "--message", message.toString());
        assertThat(run.status()).as(run.err()).isEqualTo(CheckCommand.EXIT_LISTED);
        assertThat(run.out()).startsWith("message " + message + ": sender billing@clean.example.org, 1 link host")
                .contains("checking domain clean.example.org").contains("checking link host phish.example.net")
                .containsPattern("(?m)^  api +\\d+\\.\\d ms  listed category=phishing_url")
                .contains("verdict: listed: phish.example.net (phishing_url)")
                .contains("the MTA refuses the message: 550 5.7.1 Message rejected: a link in it leads to phish.example.net, listed in vspam.org (phishing)");

        Path clean = Files.writeString(dir.resolve("clean.eml"), "From: <a@clean.example.org>\n\nSee https://clean.example.org/\n");
        Run allowed = check(agentYaml() + "mode: monitor\n", "--message", clean.toString());
        assertThat(allowed.status()).isEqualTo(CheckCommand.EXIT_CLEAN);
        assertThat(allowed.out()).contains("verdict: clean").contains("the MTA accepts the message");

        Run missing = check(agentYaml(), "--message", dir.resolve("nothing.eml").toString());
        assertThat(missing.status()).isEqualTo(CheckCommand.EXIT_UNCHECKED);
        assertThat(missing.err()).startsWith("vspam-agent: cannot read the message " + dir.resolve("nothing.eml"));
    }

    @Test
    void aListedAddressNamesSourceCategoryAndWhatPostfixHears() throws Exception {
        Run run = check(agentYaml(), "Alice@Phish.Example.NET");

        assertThat(run.status()).isEqualTo(CheckCommand.EXIT_LISTED);
        assertThat(run.out()).startsWith("checking domain phish.example.net (asked as sha256 " + FakeVspamApi.sha256("phish.example.net") + ")")
                .containsPattern("(?m)^  api +\\d+\\.\\d ms  listed category=phishing_url decision=malicious \\(consensus\\) score=91.0000$")
                .contains("verdict: listed (phishing_url), answered by api")
                .contains("Postfix hears: action=550 Message rejected: sender listed in vspam.org (phishing)")
                .doesNotContain("dnsbl ");
        assertThat(run.err()).isEmpty();
    }

    @Test
    void theDaemonsControlsDecideHereToo() throws Exception {
        Run allowed = check(agentYaml() + "allow_senders: [example.net]\n", "alice@" + ThreatFixtures.PHISH);
        assertThat(allowed.status()).isEqualTo(CheckCommand.EXIT_CLEAN);
        assertThat(allowed.out()).isEqualTo("verdict: not looked up — allowed by allow_senders: example.net\nPostfix hears: action=DUNNO\n");

        Run tagged = check(agentYaml() + "actions: {spam: prepend}\n", ThreatFixtures.SPAMMY);
        assertThat(tagged.status()).isEqualTo(CheckCommand.EXIT_CLEAN);
        assertThat(tagged.out()).contains("verdict: listed (spam_source), answered by api; action tag (actions: spam=prepend, mode: enforce)")
                .contains("Postfix hears: action=PREPEND X-Vspam: listed; category=spam_source; indicator=domain");

        Run deferred = check(agentYaml() + "actions: {botnet: defer}\n", ThreatFixtures.BOTNET);
        assertThat(deferred.status()).isEqualTo(CheckCommand.EXIT_LISTED);
        assertThat(deferred.out()).contains("Postfix hears: action=451 4.7.1 Message deferred: sender listed in vspam.org (botnet_c2); try again later");
    }

    @Test
    void aCleanIpExitsZero() throws Exception {
        Run run = check(agentYaml(), ThreatFixtures.CLEAN_IP);

        assertThat(run.status()).isEqualTo(CheckCommand.EXIT_CLEAN);
        assertThat(run.out()).startsWith("checking ip " + ThreatFixtures.CLEAN_IP)
                .contains("verdict: clean, answered by api").contains("Postfix hears: action=DUNNO");
    }

    @Test
    void aSuspiciousDomainIsAllowedWithItsScore() throws Exception {
        Run run = check(agentYaml(), ThreatFixtures.SUSPICIOUS);

        assertThat(run.status()).isEqualTo(CheckCommand.EXIT_CLEAN);
        assertThat(run.out()).contains("suspicious category=phishing_url decision=suspicious (scoring) score=61.0000")
                .contains("verdict: suspicious (phishing_url), not listed, answered by api; mail is allowed");
    }

    @Test
    void whenTheApiFailsTheDnsblStepShowsToo() throws Exception {
        api.mode(FakeVspamApi.Mode.SERVER_ERROR);
        try {
            Run run = check(agentYaml(), "[" + ThreatFixtures.LISTED_IPV4 + "]");

            assertThat(run.status()).isEqualTo(CheckCommand.EXIT_LISTED);
            assertThat(run.out()).containsPattern("(?m)^  api +\\d+\\.\\d ms  error \\(.*500.*\\)$")
                    .containsPattern("(?m)^  dnsbl +\\d+\\.\\d ms  listed category=spam$")
                    .contains("answered by dnsbl");
        } finally {
            api.mode(FakeVspamApi.Mode.NORMAL);
        }
    }

    @Test
    void nothingAnsweringExitsTwo() throws Exception {
        api.mode(FakeVspamApi.Mode.SERVER_ERROR);
        try {
            Run run = check(agentYaml().replace("dnsbl_zone", "dnsbl_enabled: false\ndnsbl_zone"), ThreatFixtures.CLEAN);

            assertThat(run.status()).isEqualTo(CheckCommand.EXIT_UNCHECKED);
            assertThat(run.out()).contains("verdict: unknown — no source could answer; the daemon allows such mail (fail-open)");
        } finally {
            api.mode(FakeVspamApi.Mode.NORMAL);
        }
    }

    @Test
    void aVerdictSharedByAnotherAgentIsFoundInRedis() throws Exception {
        try (RedisServer redis = RedisServer.start()) {
            String yaml = agentYaml() + "redis_url: " + redis.url() + "\n";
            assertThat(check(yaml, ThreatFixtures.MALWARE).out()).contains("answered by api");
            try (var shared = redis.connect()) {
                await().atMost(Duration.ofSeconds(5)).until(() -> !shared.sync().keys("vspam:v1:d:" + ThreatFixtures.MALWARE).isEmpty());
            }
            int lookups = api.lookups();

            Run second = check(yaml, ThreatFixtures.MALWARE);

            assertThat(second.status()).isEqualTo(CheckCommand.EXIT_LISTED);
            assertThat(second.out()).containsPattern("(?m)^  shared_cache +\\d+\\.\\d ms  listed category=malware_domain")
                    .contains("answered by shared_cache");
            assertThat(api.lookups()).as("the second check never reached the API").isEqualTo(lookups);
        }
    }

    @Test
    void somethingThatIsNoIndicatorIsOneLineAndExitTwo() throws Exception {
        Run run = check(agentYaml(), "user@");

        assertThat(run.status()).isEqualTo(CheckCommand.EXIT_UNCHECKED);
        assertThat(run.err()).isEqualTo("vspam-agent: cannot check \"user@\": empty value" + System.lineSeparator());
        assertThat(run.out()).isEmpty();
    }

    @Test
    void noSourceConfiguredIsSaidPlainly() throws Exception {
        Run run = check("api_url: \"\"\ndnsbl_enabled: false\ncache_path: \"\"\n", ThreatFixtures.CLEAN);

        assertThat(run.status()).isEqualTo(CheckCommand.EXIT_UNCHECKED);
        assertThat(run.err()).contains("nothing to ask");
    }

    @Test
    void aConfigErrorIsExit78() throws Exception {
        Run run = check("cache_ttl: ten\n", ThreatFixtures.CLEAN);

        assertThat(run.status()).isEqualTo(VspamCommand.EXIT_CONFIG);
        assertThat(run.err()).startsWith("vspam-agent: cache_ttl: \"ten\"");
    }

    @Test
    void subjectsAreReadAsTheOperatorMeansThem() {
        assertThat(CheckCommand.indicator("bob@Example.COM.")).isEqualTo(Indicator.domain("example.com"));
        assertThat(CheckCommand.indicator("2001:DB8::0066")).isEqualTo(Indicator.ip("2001:db8::66"));
        assertThat(CheckCommand.indicator("[192.0.2.1]")).isEqualTo(Indicator.ip("192.0.2.1"));
        assertThat(CheckCommand.indicator("example.com").kind()).isEqualTo(Indicator.Kind.DOMAIN);
    }
}
