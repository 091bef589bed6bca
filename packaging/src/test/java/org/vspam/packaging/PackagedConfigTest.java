package org.vspam.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.vspam.config.AgentConfig;
import org.vspam.config.AgentConfigLoader;
import org.vspam.config.Setting;

/**
 * The packages' /etc/vspam/agent.yml shows every key with its built-in default, commented out: the
 * defaults are {@link Setting}'s, so a default changed there and not here fails this test.
 */
class PackagedConfigTest {
    private static final Path FILE = Packages.SOURCES.resolve("files/agent.yml");
    private static final Pattern COMMENTED_KEY = Pattern.compile("^#([a-z_]+): (.*)$");

    @Test
    void showsEveryKeyWithItsDefault() throws Exception {
        Map<String, String> shown = new LinkedHashMap<>();
        for (String line : Files.readAllLines(FILE)) {
            Matcher key = COMMENTED_KEY.matcher(line);
            if (key.matches()) {
                shown.put(key.group(1), key.group(2).replaceAll("^\"(.*)\"$", "$1"));
            }
        }
        Map<String, String> defaults = new LinkedHashMap<>();
        Arrays.stream(Setting.values()).forEach(setting -> defaults.put(setting.key(), setting.defaultValue()));
        assertThat(shown).containsExactlyInAnyOrderEntriesOf(defaults);
    }

    @Test
    void asShippedItIsTheDefaults() throws Exception {
        AgentConfig shipped = AgentConfigLoader.load(FILE, true, Map.of());
        assertThat(shipped).isEqualTo(AgentConfigLoader.defaults());
    }
}
