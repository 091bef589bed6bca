package org.vspam.agent.observe;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.vspam.agent.testing.LogCapture;

/** The lost client address: said once when nearly every client looks internal, again at most hourly, and when it ends. */
class ClientAddressesTest {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final AtomicLong now = new AtomicLong();
    private final ClientAddresses watch = new ClientAddresses(registry, now::get);

    @ParameterizedTest
    @CsvSource({
        "127.0.0.1, LOOPBACK", "::1, LOOPBACK", "10.244.1.7, PRIVATE", "172.16.0.1, PRIVATE", "172.31.255.255, PRIVATE",
        "192.168.1.2, PRIVATE", "fd00:1::5, PRIVATE", "100.64.0.1, SHARED", "100.127.1.1, SHARED", "169.254.3.4, LINK_LOCAL",
        "fe80::1, LINK_LOCAL", "::ffff:10.1.2.3, PRIVATE",
        "203.0.113.66, ", "172.32.0.1, ", "100.128.0.1, ", "2001:db8::1, ", "192.169.0.1, ", "unknown, ", "'', ",
    })
    void rangesAreTheOnesThatDoNotComeFromTheInternet(String address, ClientAddresses.Range expected) {
        assertThat(ClientAddresses.rangeOf(address)).as(address).isEqualTo(expected);
    }

    @Test
    void aWindowOfInternalClientsIsOneWarningNamingTheRanges() {
        try (LogCapture log = LogCapture.of(ClientAddresses.class)) {
            window(92, "10.244.0.12", 8, "203.0.113.66");
            assertThat(log.lines()).singleElement().satisfies(line -> assertThat(line)
                    .startsWith("WARN 92% of the last 100 policy requests came from private (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, fc00::/7) 92%")
                    .contains("no IP listing can match", "externalTrafficPolicy: Cluster", "PROXY protocol",
                            "docs/kubernetes.md, \"The client's address behind a Kubernetes Service\""));
            assertThat(registry.get("vspam.client.address.internal.share").gauge().value()).isEqualTo(0.92);

            window(100, "127.0.0.1", 0, "");
            assertThat(log.lines()).as("not again within the hour").hasSize(1);
            now.addAndGet(Duration.ofHours(1).toNanos());
            window(100, "127.0.0.1", 0, "");
            assertThat(log.lines()).hasSize(2);
            assertThat(log.lines().get(1)).contains("from loopback (127.0.0.0/8, ::1) 100%");

            window(10, "127.0.0.1", 190, "198.51.100.7");
            assertThat(log.lines()).hasSize(3);
            assertThat(log.lines().get(2)).isEqualTo("INFO client addresses look real again: 5% of the last 200 policy requests from internal ranges");
        }
    }

    @Test
    void tooFewRequestsOrEnoughPublicOnesSayNothing() {
        try (LogCapture log = LogCapture.of(ClientAddresses.class)) {
            window(99, "10.0.0.1", 0, "");
            window(89, "10.0.0.1", 11, "203.0.113.9");
            window(0, "", 150, "unknown");
            assertThat(log.lines()).isEmpty();
            assertThat(registry.get("vspam.client.address.internal.share").gauge().value()).as("nothing counted").isZero();
        }
    }

    private void window(int internal, String internalAddress, int others, String otherAddress) {
        for (int i = 0; i < internal; i++) {
            watch.saw(internalAddress);
        }
        for (int i = 0; i < others; i++) {
            watch.saw(otherAddress);
        }
        watch.endWindow();
    }
}
