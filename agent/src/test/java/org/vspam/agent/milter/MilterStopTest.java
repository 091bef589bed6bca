package org.vspam.agent.milter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.vspam.agent.Agent;
import org.vspam.agent.testing.AgentHarness;
import org.vspam.agent.testing.FakeVspamApi;
import org.vspam.agent.testing.MilterClient;
import org.vspam.agent.testing.ThreatFixtures;

/** A stop answers a message whose end was received before it closes the connection, as the policy server answers its requests. */
@Timeout(60)
class MilterStopTest {

    @Test
    void aMessageEndedBeforeTheStopIsStillAnswered() throws Exception {
        try (FakeVspamApi api = new FakeVspamApi()) {
            Agent agent = AgentHarness.start(AgentHarness.milterYaml(api, "decision_timeout: 3s\nshutdown_timeout: 5s\n"));
            try (MilterClient client = MilterClient.tcp(agent.milterServer().orElseThrow().port())) {
                client.connect(ThreatFixtures.CLEAN_IP);
                api.slow(Duration.ofMillis(800));
                int before = api.lookups();
                AtomicReference<Object> answer = new AtomicReference<>();
                Thread mta = Thread.ofVirtual().start(() -> {
                    try {
                        answer.set(client.message("alice@" + ThreatFixtures.CLEAN, "text/plain",
                                ("Sign in at https://" + ThreatFixtures.PHISH + "/\r\n").getBytes(StandardCharsets.UTF_8), 1024));
                    } catch (Exception e) {
                        answer.set(e);
                    }
                });
                await("the link's lookup under way").atMost(Duration.ofSeconds(5)).until(() -> api.lookups() > before + 1);
                agent.close(); // while the message is being decided
                mta.join();
                assertThat(answer.get()).as("the answer to the message ended before the stop")
                        .isInstanceOfSatisfying(MilterClient.Answer.class, done -> assertThat(done.code()).isEqualTo('y'));
            } finally {
                agent.close();
            }
        }
    }
}
