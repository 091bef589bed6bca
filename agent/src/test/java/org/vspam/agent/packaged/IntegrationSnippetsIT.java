package org.vspam.agent.packaged;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.vspam.agent.testing.Commands;
import org.vspam.agent.testing.EximInstance;
import org.vspam.agent.testing.FakeVspamApi;
import org.vspam.agent.testing.PackagedAgent;
import org.vspam.agent.testing.Ports;
import org.vspam.agent.testing.TestPki;
import org.vspam.agent.testing.ThreatFixtures;
import org.vspam.agent.testing.Tools;

/**
 * The snippets of vspam.org's integrations page, as written there, against the packaged jar: the
 * {@code curl} examples, the shell filter, and the Exim ACL (with the pattern the README corrects).
 * Only the port differs, and the page's {@code 1.2.3.4} is the documentation address {@code 192.0.2.1}.
 */
@Timeout(180)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class IntegrationSnippetsIT {
    @TempDir
    static Path dir;
    private static FakeVspamApi api;
    private static PackagedAgent agent;
    private static int port;

    @BeforeAll
    static void start() throws Exception {
        TestPki pki = TestPki.create("vspam snippets test CA");
        api = FakeVspamApi.https(pki.issue("localhost"));
        port = Ports.freeTcpPort();
        agent = PackagedAgent.serve(dir, "agent", """
                api_url: %s
                api_ca_file: %s
                dnsbl_enabled: false
                listen: tcp://localhost:%d
                http_enabled: true
                http_listen: 127.0.0.1:%d
                cache_path: ""
                """.formatted(api.baseUrl(), pki.writeCa(dir.resolve("ca.pem")), Ports.freeTcpPort(), port));
        assertThat(agent.alive()).as(agent.log()).isTrue();
    }

    @AfterAll
    static void stop() throws Exception {
        if (agent != null) {
            agent.close();
        }
        api.close();
    }

    private static String curl(String... args) throws Exception {
        Tools.require("curl", "apt-get install curl");
        return Commands.run(List.of(args));
    }

    @Test
    @Order(1)
    void theCurlExampleAnswersClean() throws Exception {
        assertThat(curl("curl", "-s", "http://127.0.0.1:" + port + "/check?sender_domain=example.com&client_ip=192.0.2.1"))
                .isEqualTo("{\"malicious\":false,\"action\":\"allow\"}");
    }

    @Test
    @Order(2)
    void theCurlExampleAnswersAListedSender() throws Exception {
        assertThat(curl("curl", "-s", "http://127.0.0.1:" + port + "/check?sender_domain=" + ThreatFixtures.PHISH + "&client_ip=192.0.2.1"))
                .startsWith("{\"malicious\":true,").contains("\"reason\":\"vspam.org: phishing_url\"").contains("\"action\":\"reject\"");
    }

    @Test
    @Order(3)
    void theShellFilterRejectsAListedSenderAndAcceptsACleanOne() throws Exception {
        Path filter = Files.writeString(dir.resolve("vspam-filter.sh"), """
                #!/bin/sh
                # /usr/local/libexec/vspam-filter.sh
                RESULT=$(curl -sf "http://127.0.0.1:%d/check?sender_domain=$1&client_ip=$2")
                if echo "$RESULT" | grep -q '"malicious":true'; then
                echo "reject"
                else
                echo "accept"
                fi
                """.formatted(port));
        Files.setPosixFilePermissions(filter, PosixFilePermissions.fromString("rwxr-xr-x"));
        assertThat(Commands.run(List.of(filter.toString(), ThreatFixtures.PHISH, ThreatFixtures.CLEAN_IP)).strip()).isEqualTo("reject");
        assertThat(Commands.run(List.of(filter.toString(), ThreatFixtures.CLEAN, ThreatFixtures.LISTED_IPV4)).strip()).isEqualTo("reject");
        assertThat(Commands.run(List.of(filter.toString(), ThreatFixtures.CLEAN, ThreatFixtures.CLEAN_IP)).strip()).isEqualTo("accept");
    }

    @Test
    @Order(4)
    void eximsReadsocketAclRefusesAListedSender() throws Exception {
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x")); // Exim drops to Debian-exim below it
        Path eximDir = Files.createDirectories(dir.resolve("exim"));
        try (EximInstance exim = EximInstance.start(eximDir, port)) {
            assertThat(exim.rcpt("alice@" + ThreatFixtures.PHISH)).contains("<** 550 Sender blocked by vspam.org");
            assertThat(exim.rcpt("bob@" + ThreatFixtures.CLEAN)).contains("<-  250 Accepted");
        }
    }
}
