package org.vspam.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Values read as people write them, and errors that say why, without echoing a secret. */
class AsWrittenTest {

    @ParameterizedTest
    @ValueSource(strings = {"socket_mode: 660", "socket_mode: 0660", "socket_mode: \"0660\"", "socket_mode: '660'"})
    void anUnquotedSocketModeIsReadAsTheDigitsWritten(String yaml) throws Exception {
        assertThat(AgentConfigLoader.parse(yaml, "agent.yml", Map.of()).socketMode()).isEqualTo(0660);
    }

    @Test
    void aModeThatIsNotOctalNamesTheValueAsWritten() {
        assertThatThrownBy(() -> AgentConfigLoader.parse("socket_mode: 999", "agent.yml", Map.of()))
                .hasMessage("socket_mode: \"999\" is not an octal file mode (expected e.g. \"0660\") (from agent.yml)");
    }

    @Test
    void numbersAndBooleansStillReadAsBefore() throws Exception {
        AgentConfig config = AgentConfigLoader.parse("queue_size: 2000\nhttp_enabled: yes\ndnsbl_enabled: false\ncache_path:\n", "agent.yml", Map.of());
        assertThat(config.queueSize()).isEqualTo(2000);
        assertThat(config.httpEnabled()).isTrue();
        assertThat(config.dnsblEnabled()).isFalse();
        assertThat(config.cachePath()).as("an empty value is the default").isPresent();
    }

    @Test
    void aConfigFileThatCannotBeReadSaysWhy(@TempDir Path dir) {
        assertThatThrownBy(() -> AgentConfigLoader.load(dir, true, Map.of()))
                .hasMessageStartingWith("cannot read config file " + dir + ": ")
                .message().isNotEqualTo("cannot read config file " + dir + ": " + dir);
    }

    @Test
    void anApiKeyWithAControlCharacterIsRefusedWithoutShowingIt(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("agent.yml"), "api_key: \"vspam_abc\\u0007def\"\n");
        assertThatThrownBy(() -> AgentConfigLoader.load(file, true, Map.of()))
                .hasMessage("api_key: (value hidden) must be one word of printable ASCII (it has a space, a control character or a "
                        + "non-ASCII one) (from " + file + ")")
                .message().doesNotContain("vspam_abc");
        assertThatThrownBy(() -> AgentConfigLoader.parse("", "agent.yml", Map.of("VSPAM_API_KEY", "vspam_abc def")))
                .message().doesNotContain("vspam_abc").contains("(from VSPAM_API_KEY)");
        assertThatThrownBy(() -> AgentConfigLoader.parse("", "agent.yml", Map.of("VSPAM_API_KEY", "vspam_abc€")))
                .message().doesNotContain("vspam_abc");
        assertThat(AgentConfigLoader.parse("", "agent.yml", Map.of("VSPAM_API_KEY", "  vspam_abc\n")).apiKey().reveal())
                .as("surrounding white space (a Secret file's newline) is not part of the key").isEqualTo("vspam_abc");
    }
}
