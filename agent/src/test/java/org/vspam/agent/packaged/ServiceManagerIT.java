package org.vspam.agent.packaged;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.vspam.agent.testing.NotifySocket;
import org.vspam.agent.testing.PackagedAgent;
import org.vspam.agent.testing.PolicyClient;
import org.vspam.agent.testing.Ports;

/**
 * The packaged agent under a {@code Type=notify} unit: systemd hears {@code READY=1} only once the
 * policy listener answers, and {@code STOPPING=1} when SIGTERM begins the drain; its reload, SIGHUP,
 * re-reads the configuration without stopping.
 */
@Timeout(120)
class ServiceManagerIT {
    @TempDir
    Path dir;

    @Test
    void tellsTheServiceManagerWhenItIsReadyAndWhenItStops() throws Exception {
        int port = Ports.freeTcpPort();
        try (NotifySocket systemd = NotifySocket.bind(dir.resolve("notify"))) {
            PackagedAgent agent = PackagedAgent.start(dir, "agent", """
                    listen: tcp://localhost:%d
                    api_url: http://localhost:%d
                    dnsbl_enabled: false
                    reporting_enabled: false
                    """.formatted(port, Ports.freeTcpPort()), Map.of("NOTIFY_SOCKET", systemd.path().toString()), "serve");
            try (agent) {
                await("READY=1").atMost(Duration.ofSeconds(60)).until(() -> systemd.told("READY=1") || !agent.alive());
                // Ready means ready: the very next connection is answered.
                try (PolicyClient client = PolicyClient.tcp(port)) {
                    assertThat(client.ask("alice@example.com", "192.0.2.1")).isEqualTo("action=DUNNO");
                }
                assertThat(systemd.told("STOPPING=1")).isFalse();
                agent.terminate();
                assertThat(agent.exitStatus()).isZero();
                assertThat(systemd.messages()).last().satisfies(last -> assertThat(last).startsWith("STOPPING=1\n"));
                assertThat(systemd.messages().getFirst()).isEqualTo("READY=1\nSTATUS=answering policy requests");
            }
        }
    }

    @Test
    void aReloadRereadsTheConfigurationAndKeepsServing() throws Exception {
        int port = Ports.freeTcpPort();
        String yaml = """
                listen: tcp://localhost:%d
                dnsbl_enabled: false
                """.formatted(port);
        try (PackagedAgent agent = PackagedAgent.serve(dir, "agent", yaml)) {
            agent.signal("HUP");
            await("unchanged").atMost(Duration.ofSeconds(10)).until(() -> agent.lines("SIGHUP: the configuration was read again; nothing that changes live has changed") == 1);

            Files.writeString(dir.resolve("agent.yml"), yaml + "cache_ttl: ten\n");
            agent.signal("HUP");
            await("the mistake").atMost(Duration.ofSeconds(10)).until(() -> agent.lines("SIGHUP: the configuration was not reloaded") == 1);
            assertThat(agent.log()).contains("the running one stays in force: cache_ttl: \"ten\" is not a duration");

            Files.writeString(dir.resolve("agent.yml"), yaml + "cache_ttl: 5m\nmode: monitor\n");
            agent.signal("HUP");
            await("the difference").atMost(Duration.ofSeconds(10)).until(() -> agent.lines("SIGHUP: the configuration was read again; applied: mode") == 1);
            assertThat(agent.log()).contains("SIGHUP: cache_ttl changed but only take effect at a restart");

            assertThat(agent.alive()).isTrue();
            try (PolicyClient client = PolicyClient.tcp(port)) {
                assertThat(client.ask("alice@example.com", "192.0.2.1")).isEqualTo("action=DUNNO");
            }
        }
    }

    @Test
    void anUnreachableServiceManagerIsOneWarningAndTheAgentServes() throws Exception {
        int port = Ports.freeTcpPort();
        try (PackagedAgent agent = PackagedAgent.start(dir, "agent", """
                listen: tcp://localhost:%d
                dnsbl_enabled: false
                """.formatted(port), Map.of("NOTIFY_SOCKET", dir.resolve("no-such-socket").toString()), "serve")) {
            await("the warning").atMost(Duration.ofSeconds(60)).until(() -> agent.lines("cannot tell the service manager") > 0 || !agent.alive());
            try (PolicyClient client = PolicyClient.tcp(port)) {
                assertThat(client.ask("alice@example.com", "192.0.2.1")).isEqualTo("action=DUNNO");
            }
            assertThat(agent.lines("cannot tell the service manager \"READY=1\" through NOTIFY_SOCKET=" + dir.resolve("no-such-socket")))
                    .isEqualTo(1);
        }
    }
}
