package org.vspam.agent.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.vspam.agent.Agent;
import org.vspam.agent.testing.AgentHarness;
import org.vspam.agent.testing.FakeVspamApi;
import org.vspam.agent.testing.LogCapture;
import org.vspam.agent.testing.PolicyClient;
import org.vspam.agent.testing.Rbldnsd;
import org.vspam.agent.testing.ThreatFixtures;

/** The whole agent through real TCP and unix sockets, with the fake API and a real DNSBL. */
@Timeout(60)
class PolicyServerTest {
    private static final String REJECT = "action=550 Message rejected: sender listed in vspam.org (phishing)";
    private static FakeVspamApi api;
    private static Rbldnsd dnsbl;
    private static Agent agent;

    @BeforeAll
    static void start() throws Exception {
        api = new FakeVspamApi();
        dnsbl = Rbldnsd.start();
        agent = AgentHarness.start(AgentHarness.yaml(api, dnsbl));
    }

    @AfterAll
    static void stop() throws Exception {
        agent.close();
        dnsbl.close();
        api.close();
    }

    private static PolicyClient client() throws IOException {
        return PolicyClient.tcp(agent.policyServer().port());
    }

    /** A CRLF request whose final empty line arrives in two writes, and an empty request, on one connection. */
    @Test
    void splitTerminatorsAndEmptyRequestsAreAnsweredInOrder() throws Exception {
        try (PolicyClient client = client()) {
            client.send("request=smtpd_access_policy\r\nsender=a@" + ThreatFixtures.PHISH + "\r\nclient_address=" + ThreatFixtures.CLEAN_IP
                    + "\r\n\r");
            client.send("\n");
            assertThat(client.readAnswer()).isEqualTo(REJECT);
            client.send("\n");
            assertThat(client.readAnswer()).as("an empty request").isEqualTo("action=DUNNO");
            assertThat(client.ask("b@" + ThreatFixtures.CLEAN, ThreatFixtures.CLEAN_IP)).isEqualTo("action=DUNNO");
        }
    }

    /** The log says what happened to a request with a bad line: the line is ignored, the rest decides. */
    @Test
    void aMalformedLineIsIgnoredAndTheLogSaysWhatWasAnswered() throws Exception {
        try (LogCapture log = LogCapture.of(PolicyService.class); PolicyClient client = client()) {
            client.send("request=smtpd_access_policy\nbogus\nsender=a@" + ThreatFixtures.PHISH + "\nclient_address=" + ThreatFixtures.CLEAN_IP + "\n\n");
            assertThat(client.readAnswer()).isEqualTo(REJECT);
            await().atMost(Duration.ofSeconds(5)).until(() -> !log.lines().isEmpty());
            assertThat(log.lines()).containsExactly("WARN policy request with a malformed line (expected name=value, got \"bogus\"), ignored; "
                    + "the rest of the request was answered " + REJECT);
        }
    }

    @Test
    void manyRequestsOverOnePersistentConnection() throws Exception {
        try (PolicyClient postfix = client()) {
            assertThat(postfix.ask("alice@" + ThreatFixtures.PHISH, ThreatFixtures.CLEAN_IP)).isEqualTo(REJECT);
            assertThat(postfix.ask("bob@" + ThreatFixtures.CLEAN, ThreatFixtures.CLEAN_IP)).isEqualTo("action=DUNNO");
            assertThat(postfix.ask("carol@" + ThreatFixtures.CLEAN, ThreatFixtures.LISTED_IPV4)).isEqualTo(REJECT);
            assertThat(postfix.ask("dave@" + ThreatFixtures.CLEAN, ThreatFixtures.LISTED_IPV6)).isEqualTo(REJECT);
            assertThat(postfix.ask("erin@" + ThreatFixtures.SUSPICIOUS, ThreatFixtures.CLEAN_IP)).as("suspicious is not blocked").isEqualTo("action=DUNNO");
            for (int i = 0; i < 50; i++) {
                assertThat(postfix.ask("x" + i + "@" + ThreatFixtures.MALWARE, ThreatFixtures.CLEAN_IP)).isEqualTo(REJECT);
            }
        }
    }

    /**
     * {@code printf ... | nc -N}: the client half-closes after its request. With the API hanging, the
     * answer comes from the DNSBL half a second later, long after that close, and still arrives.
     */
    @Test
    void aOneShotClientThatHalfClosesStillGetsItsAnswer() throws Exception {
        api.mode(FakeVspamApi.Mode.HANG);
        try (Socket socket = new Socket("127.0.0.1", agent.policyServer().port())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(("request=smtpd_access_policy\nsender=a@" + ThreatFixtures.DNSBL_ONLY + "\nclient_address=192.0.2.99\n\n")
                    .getBytes(StandardCharsets.US_ASCII));
            socket.shutdownOutput();
            assertThat(new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII))
                    .as("the answer, then the agent closes").isEqualTo(REJECT + "\n\n");
        } finally {
            api.mode(FakeVspamApi.Mode.NORMAL);
        }
    }

    @Test
    void aBounceChecksOnlyTheClient() throws Exception {
        try (PolicyClient postfix = client()) {
            assertThat(postfix.ask("", ThreatFixtures.CLEAN_IP)).isEqualTo("action=DUNNO");
            assertThat(postfix.ask("", ThreatFixtures.LISTED_IPV4)).isEqualTo(REJECT);
        }
    }

    @Test
    void otherRequestTypesAreDunno() throws Exception {
        try (PolicyClient client = client()) {
            client.send("request=junk\nsender=a@" + ThreatFixtures.PHISH + "\n\n");
            assertThat(client.readAnswer()).isEqualTo("action=DUNNO");
            client.send("sender=a@" + ThreatFixtures.PHISH + "\n\n");
            assertThat(client.readAnswer()).as("no request attribute at all").isEqualTo("action=DUNNO");
        }
    }

    @Test
    void aOneShotClientGetsItsAnswer() throws Exception {
        try (PolicyClient client = client()) {
            client.send(PolicyClient.request("a@" + ThreatFixtures.BOTNET, ThreatFixtures.CLEAN_IP));
            assertThat(client.readAnswer()).isEqualTo(REJECT);
        }
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrder() throws Exception {
        try (PolicyClient client = client()) {
            StringBuilder burst = new StringBuilder();
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                boolean listed = i % 3 == 0;
                // fresh names each time so some answers need the API and some come from the cache
                String domain = listed ? ThreatFixtures.TORNODE : "clean" + i + ".example.org";
                burst.append(PolicyClient.request("u@" + domain, ThreatFixtures.CLEAN_IP));
                expected.add(listed ? REJECT : "action=DUNNO");
            }
            client.send(burst.toString());
            List<String> answers = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                answers.add(client.readAnswer());
            }
            assertThat(answers).containsExactlyElementsOf(expected);
        }
    }

    @Test
    void anOversizedLineClosesOnlyThatConnection() throws Exception {
        try (PolicyClient postfix = client(); PolicyClient abuser = client()) {
            assertThat(postfix.ask("a@" + ThreatFixtures.CLEAN, ThreatFixtures.CLEAN_IP)).isEqualTo("action=DUNNO");
            abuser.send("request=smtpd_access_policy\nsender=" + "a".repeat(10_000) + "\n\n");
            await().atMost(Duration.ofSeconds(5)).until(abuser::closedByServer);
            assertThat(postfix.ask("b@" + ThreatFixtures.PHISH, ThreatFixtures.CLEAN_IP)).isEqualTo(REJECT);
        }
    }

    @Test
    void anOversizedRequestClosesOnlyThatConnection() throws Exception {
        try (PolicyClient postfix = client(); PolicyClient abuser = client()) {
            String line = "ccert_subject=" + "a".repeat(2000) + "\n";
            abuser.send("request=smtpd_access_policy\n" + line.repeat(40));
            await().atMost(Duration.ofSeconds(5)).until(abuser::closedByServer);
            assertThat(postfix.ask("b@" + ThreatFixtures.CLEAN, ThreatFixtures.CLEAN_IP)).isEqualTo("action=DUNNO");
        }
    }

    @Test
    void manyConcurrentConnectionsLikeAnSmtpdPool() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(20);
        try {
            List<Callable<Integer>> smtpds = new ArrayList<>();
            for (int n = 0; n < 20; n++) {
                smtpds.add(() -> {
                    int rejected = 0;
                    try (PolicyClient smtpd = client()) {
                        for (int i = 0; i < 25; i++) {
                            if (smtpd.ask("s@" + (i % 2 == 0 ? ThreatFixtures.SPAMMY : ThreatFixtures.CLEAN), ThreatFixtures.CLEAN_IP).equals(REJECT)) {
                                rejected++;
                            }
                        }
                    }
                    return rejected;
                });
            }
            for (Future<Integer> result : pool.invokeAll(smtpds)) {
                assertThat(result.get()).isEqualTo(13);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void unixSocketWithModeStaleFileReplacedAndRemovedOnShutdown(@TempDir Path dir) throws Exception {
        Path socket = dir.resolve("run/vspam/agent.sock");
        Files.createDirectories(socket.getParent());
        Files.writeString(socket, "left over by a crash");
        String yaml = AgentHarness.yaml(api, dnsbl).replace("listen: tcp://127.0.0.1:0", "listen: unix://" + socket + "\nsocket_mode: \"0666\"");

        try (Agent unixAgent = AgentHarness.start(yaml)) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(socket))).isEqualTo("rw-rw-rw-");
            try (PolicyClient postfix = PolicyClient.unix(socket)) {
                assertThat(postfix.ask("a@" + ThreatFixtures.PHISH, ThreatFixtures.CLEAN_IP)).isEqualTo(REJECT);
                assertThat(postfix.ask("a@" + ThreatFixtures.CLEAN, ThreatFixtures.CLEAN_IP)).isEqualTo("action=DUNNO");
            }
            assertThatThrownBy(() -> AgentHarness.start(yaml))
                    .as("a socket another agent still answers on is not taken over")
                    .hasMessageContaining("another process is already answering on it");
        }
        assertThat(socket).doesNotExist();
    }
}
