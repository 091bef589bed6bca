package org.vspam.agent.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micronaut.serde.ObjectMapper;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.vspam.agent.testing.FailingDecisions;

/** /check answers a failure of the agent's own as failure_action says (a deferral here), as Postfix and the milter hear it; never a 4xx or 5xx. */
class CheckFailureTest {

    @Test
    void underFailureActionDeferTheAgentsOwnFailureIsADeferral() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        CheckEndpoint check = new CheckEndpoint(FailingDecisions.underDefer(), ObjectMapper.getDefault(), registry, 20,
                new NewLookupBudgets(0, registry, System::nanoTime));
        HttpAnswer answer = check.get("example.org", "192.0.2.1", new InetSocketAddress("127.0.0.1", 40000)).join();
        assertThat(answer.status()).isEqualTo(200);
        assertThat(new String(answer.body(), StandardCharsets.UTF_8)).isEqualTo("{\"malicious\":false,\"action\":\"defer\"}");
    }
}
