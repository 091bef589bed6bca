package org.vspam.agent.packaged;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.vspam.agent.testing.ConfigMapVolume;
import org.vspam.agent.testing.FakeVspamApi;
import org.vspam.agent.testing.PackagedAgent;
import org.vspam.agent.testing.PolicyClient;
import org.vspam.agent.testing.ThreatFixtures;

/**
 * The packaged agent follows its configuration file as the kubelet changes a mounted ConfigMap (the
 * {@code ..data} symlink swapped, no write to the file): a new allow-list is in force without a signal
 * and without a dropped connection, and a broken file changes nothing and says why once.
 */
@Timeout(180)
class ConfigFileWatchIT {
    private static final String REJECT = "action=550 Message rejected: sender listed in vspam.org (phishing)";
    private static final String DUNNO = "action=DUNNO";

    @TempDir
    Path dir;

    @Test
    void aSwappedConfigMapIsAppliedLiveAndABrokenOneChangesNothing() throws Exception {
        try (FakeVspamApi api = new FakeVspamApi()) {
            Path socket = dir.resolve("policy.sock");
            String base = """
                    api_url: %s
                    dnsbl_enabled: false
                    cache_path: ""
                    listen: unix:%s
                    """.formatted(api.baseUrl(), socket);
            ConfigMapVolume volume = ConfigMapVolume.create(dir.resolve("config"), "agent.yml", base);
            try (PackagedAgent agent = PackagedAgent.startWithConfig(List.of(), volume.file(), dir, "agent", Map.of(), "serve")) {
                await("ready").atMost(Duration.ofSeconds(60)).until(() -> agent.log().contains(" ready: policy ") || !agent.alive());
                // One client asks throughout on one connection, as Postfix's smtpd does.
                List<String> answers = new CopyOnWriteArrayList<>();
                AtomicReference<Throwable> failed = new AtomicReference<>();
                AtomicBoolean asking = new AtomicBoolean(true);
                Thread client = Thread.ofVirtual().start(() -> {
                    try (PolicyClient policy = PolicyClient.unix(socket)) {
                        while (asking.get()) {
                            answers.add(policy.ask("alice@" + ThreatFixtures.PHISH, ThreatFixtures.CLEAN_IP));
                        }
                    } catch (IOException | RuntimeException e) {
                        failed.set(e);
                    }
                });
                await("refused before the change").atMost(Duration.ofSeconds(10)).until(() -> !answers.isEmpty() && answers.getLast().equals(REJECT));

                volume.swap(base + "allow_senders: [" + ThreatFixtures.PHISH + "]\n");
                await("the swapped allow-list in force").atMost(Duration.ofSeconds(5)).until(() -> answers.getLast().equals(DUNNO));
                await("said so (the log is written a moment after it applies)").atMost(Duration.ofSeconds(5))
                        .until(() -> agent.log().contains("agent.yml changed: the configuration was read again; applied: allow_senders"));

                volume.swap(base + "allow_senders: [" + ThreatFixtures.PHISH + "\n"); // a bracket left open
                await("the broken file told").atMost(Duration.ofSeconds(5))
                        .until(() -> agent.lines("the configuration was not reloaded, the running one stays in force") == 1);
                int seen = answers.size();
                await("asked again since").atMost(Duration.ofSeconds(5)).until(() -> answers.size() > seen + 100);
                assertThat(answers.getLast()).as("the running configuration stays").isEqualTo(DUNNO);
                asking.set(false);
                client.join();
                assertThat(failed.get()).as("no connection dropped").isNull();
                assertThat(answers).as("every answer one of the two configurations'").allMatch(answer -> answer.equals(REJECT) || answer.equals(DUNNO));
                assertThat(agent.lines("the configuration was not reloaded")).as("said once, not at every look").isEqualTo(1);
            }
        }
    }
}
