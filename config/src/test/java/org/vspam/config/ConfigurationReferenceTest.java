package org.vspam.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The configuration reference (docs/configuration.md) and the keys the agent reads cannot drift: its table has a row for every
 * {@link Setting} and for nothing else, and a default written as one literal is the setting's own.
 */
class ConfigurationReferenceTest {
    private static final Path REFERENCE = Path.of("..", "docs", "configuration.md");
    /** {@code | `key` | default | meaning |}. */
    private static final Pattern ROW = Pattern.compile("(?m)^\\| `([a-z_]+)` \\| ([^|]*) \\|");
    /** A default written as one literal: {@code `10m`}, {@code `""`}, {@code `"0660"`}. */
    private static final Pattern LITERAL = Pattern.compile("`([^`]*)`");

    private static Map<String, String> rows() throws IOException {
        Map<String, String> rows = new LinkedHashMap<>();
        Matcher row = ROW.matcher(Files.readString(REFERENCE));
        while (row.find()) {
            rows.put(row.group(1), row.group(2).strip());
        }
        return rows;
    }

    @Test
    void everyKeyHasItsRowAndEveryRowIsAKey() throws IOException {
        assertThat(rows().keySet()).containsExactlyInAnyOrderElementsOf(Arrays.stream(Setting.values()).map(Setting::key).toList());
    }

    @Test
    void aDefaultWrittenAsOneLiteralIsTheSettingsOwn() throws IOException {
        Map<String, String> rows = rows();
        for (Setting setting : Setting.values()) {
            Matcher literal = LITERAL.matcher(rows.getOrDefault(setting.key(), ""));
            if (literal.matches()) {
                String written = literal.group(1);
                String unquoted = written.length() >= 2 && written.startsWith("\"") && written.endsWith("\"")
                        ? written.substring(1, written.length() - 1) : written;
                assertThat(unquoted).as(setting.key()).isEqualTo(setting.defaultValue());
            }
        }
    }
}
