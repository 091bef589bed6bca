package org.vspam.agent.packaged;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.vspam.agent.testing.PackagedAgent;

/**
 * An agent started with SIGHUP ignored (under nohup, or by a parent that ignores it) cannot be reloaded by
 * kill -HUP, since the JVM then installs no handler: it says so at start, once, instead of failing silently;
 * and a change to its configuration file reloads it all the same.
 */
@Timeout(120)
class IgnoredHangupIT {
    private static final String WARNING = "SIGHUP was ignored when the agent was started";
    private static final String YAML = "api_url: \"\"\ndnsbl_enabled: false\ncache_path: \"\"\nlisten: tcp://localhost:0\n";

    @TempDir
    Path dir;

    @Test
    void startedWithSighupIgnoredTheAgentSaysSoOnce() throws Exception {
        try (PackagedAgent agent = PackagedAgent.start(List.of("sh", "-c", "trap '' HUP; exec \"$0\" \"$@\""), dir, "nohup", YAML, Map.of(),
                "serve")) {
            await("ready").atMost(Duration.ofSeconds(60)).until(() -> agent.log().contains(" ready: policy ") || !agent.alive());
            assertThat(agent.lines(WARNING)).as(agent.log()).isEqualTo(1);
            agent.signal("HUP"); // ignored: the agent goes on serving
            assertThat(agent.alive()).isTrue();
            Files.writeString(dir.resolve("nohup.yml"), YAML + "mode: monitor\n");
            await("the changed file applied").atMost(Duration.ofSeconds(10))
                    .until(() -> agent.log().contains("nohup.yml changed: the configuration was read again; applied: mode"));
        }
    }

    @Test
    void startedNormallyItSaysNothingOfIt() throws Exception {
        try (PackagedAgent agent = PackagedAgent.serve(dir, "agent", YAML)) {
            assertThat(agent.lines(WARNING)).as(agent.log()).isZero();
        }
    }
}
