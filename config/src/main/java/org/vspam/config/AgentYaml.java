package org.vspam.config;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * Writes agent.yml from {@link Setting}s: the file the operator puts in a ConfigMap is written with
 * the same key names the agent reads. Secret settings are refused: they travel as environment
 * variables from Kubernetes Secrets, never in a file that anyone with ConfigMap access can read.
 */
public final class AgentYaml {
    private AgentYaml() {
    }

    /**
     * The YAML text for {@code values}, keys in the order {@link Setting} declares them. Values are
     * strings, booleans, numbers or lists of strings.
     */
    public static String write(Map<Setting, ?> values) {
        Map<String, Object> document = new LinkedHashMap<>();
        for (Setting setting : Setting.values()) {
            Object value = values.get(setting);
            if (value == null) {
                continue;
            }
            if (setting.secret()) {
                throw new IllegalArgumentException(setting.key() + " is secret and is never written to agent.yml; pass it as "
                        + setting.environmentVariable());
            }
            document.put(setting.key(), value instanceof List<?> list ? List.copyOf(list) : value);
        }
        DumperOptions options = new DumperOptions();
        options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        options.setIndent(2);
        return document.isEmpty() ? "" : new Yaml(options).dump(document);
    }
}
