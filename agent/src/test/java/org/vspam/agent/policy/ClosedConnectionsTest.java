package org.vspam.agent.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.vspam.agent.Agent;
import org.vspam.agent.testing.AgentHarness;
import org.vspam.agent.testing.LiveObjects;

/**
 * One-shot clients (Exim's readsocket, scripts, a port scan) open a connection per question: once closed,
 * a connection must hold nothing, or the heap grows with the rate of connections until the container's
 * limit is reached.
 */
@Timeout(120)
class ClosedConnectionsTest {
    private static final int BURST = 2_000;

    @Test
    void aBurstOfShortConnectionsLeavesNoChannelBehindOnAnyListener() throws Exception {
        try (Agent agent = AgentHarness.start("api_url: \"\"\ndnsbl_enabled: false\ncache_path: \"\"\nlisten: tcp://127.0.0.1:0\n"
                + "http_enabled: true\nhttp_listen: 127.0.0.1:0\nmilter_listen: tcp://127.0.0.1:0\n")) {
            long before = LiveObjects.count("SocketChannel");
            for (int port : new int[] {agent.policyServer().port(), agent.httpPort(), agent.milterServer().orElseThrow().port()}) {
                for (int i = 0; i < BURST; i++) {
                    try (Socket socket = new Socket("127.0.0.1", port)) {
                        if (i % 2 == 0) { // half of them send a line of nonsense first, half nothing at all
                            socket.getOutputStream().write("\u0001garbage\n".getBytes(StandardCharsets.ISO_8859_1));
                        }
                    }
                }
            }
            await("every connection closed").atMost(Duration.ofSeconds(30)).until(() -> agent.policyServer().openConnections() == 0
                    && agent.milterServer().orElseThrow().openConnections() == 0);
            long after = LiveObjects.count("SocketChannel");
            assertThat(after - before).as("socket channels still reachable after %d connections to each listener closed", BURST).isLessThan(50);
        }
    }
}
