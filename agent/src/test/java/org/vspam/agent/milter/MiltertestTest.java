package org.vspam.agent.milter;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.vspam.agent.Agent;
import org.vspam.agent.testing.AgentHarness;
import org.vspam.agent.testing.Commands;
import org.vspam.agent.testing.FakeVspamApi;
import org.vspam.agent.testing.Tools;

/**
 * The milter protocol as a real MTA-side implementation speaks it: OpenDKIM's {@code miltertest}
 * (libmilter's client, from Debian) runs Lua scripts against the agent's milter socket. Each script
 * fails with the reason when a reply is not the expected one.
 */
@Timeout(120)
class MiltertestTest {
    @TempDir
    static Path dir;
    private static FakeVspamApi api;
    private static Agent enforcing;
    private static Agent monitoring;

    @BeforeAll
    static void start() throws Exception {
        Tools.require("miltertest", "apt-get install miltertest");
        api = new FakeVspamApi();
        enforcing = AgentHarness.start(yaml("enforce"));
        monitoring = AgentHarness.start(yaml("monitor"));
    }

    private static String yaml(String mode) {
        return """
                api_url: %s
                dnsbl_enabled: false
                listen: tcp://127.0.0.1:0
                cache_path: ""
                mode: %s
                milter_listen: unix:%s
                """.formatted(api.baseUrl(), mode, socket(mode));
    }

    private static Path socket(String mode) {
        return dir.resolve(mode + ".sock");
    }

    @AfterAll
    static void stop() {
        if (enforcing != null) {
            enforcing.close();
        }
        if (monitoring != null) {
            monitoring.close();
        }
        if (api != null) {
            api.close();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"link-in-plain-text", "split-body", "abort", "macros"})
    void enforcing(String script) throws Exception {
        assertThat(run(script, "enforce")).doesNotContain("error");
    }

    @ParameterizedTest
    @ValueSource(strings = {"monitor"})
    void monitoring(String script) throws Exception {
        assertThat(run(script, "monitor")).doesNotContain("error");
    }

    /** Runs a script after the prelude; a failed check makes miltertest exit non-zero with the reason, which fails the run. */
    private static String run(String script, String mode) throws IOException, InterruptedException {
        Path file = dir.resolve(script + "-" + mode + ".lua");
        Files.writeString(file, "SOCKET = \"unix:" + socket(mode) + "\"\n" + resource("prelude.lua")
                + "local passed, failure = pcall(function()\n" + resource(script + ".lua") + "\nend)\n"
                + "if not passed then mt.echo(\"FAILED: \" .. tostring(failure)); error(failure) end\n");
        return Commands.run(List.of("miltertest", "-s", file.toString()));
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = MiltertestTest.class.getResourceAsStream("/milter/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
