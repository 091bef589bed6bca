package org.vspam.config;

import java.util.EnumMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The action for each family. Unnamed families keep the defaults, which are the agent's behaviour
 * before actions existed: every listing refused, a suspicious verdict allowed.
 */
public record Actions(Map<Family, Action> byFamily) {

    public Actions {
        EnumMap<Family, Action> complete = defaults();
        complete.putAll(byFamily);
        byFamily = Map.copyOf(complete);
    }

    public Action of(Family family) {
        return byFamily.get(family);
    }

    private static EnumMap<Family, Action> defaults() {
        EnumMap<Family, Action> actions = new EnumMap<>(Family.class);
        for (Family family : Family.values()) {
            actions.put(family, family == Family.SUSPICIOUS ? Action.ALLOW : Action.REJECT);
        }
        return actions;
    }

    /** {@code phishing=reject,spam=prepend}: the environment's form, and a YAML mapping joined to it. */
    static Actions parse(String text) {
        EnumMap<Family, Action> actions = new EnumMap<>(Family.class);
        for (String pair : text.split("[,\\s]+")) {
            if (pair.isEmpty()) {
                continue;
            }
            int equals = pair.indexOf('=');
            if (equals < 0) {
                throw new IllegalArgumentException("must map families to actions, e.g. {spam: prepend, tor: defer} or spam=prepend,tor=defer");
            }
            actions.put(Family.byKey(pair.substring(0, equals)), Action.byWord(pair.substring(equals + 1)));
        }
        return new Actions(actions);
    }

    @Override
    public String toString() {
        return byFamily.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .map(entry -> entry.getKey().key() + "=" + entry.getValue().word()).collect(Collectors.joining(","));
    }
}
