package org.vspam.agent.shared;

import org.vspam.agent.indicator.Indicator;

/**
 * Key layout in Redis: {@code PREFIX:v1:KIND:VALUE}, e.g. {@code vspam:v1:d:phish.example.net}.
 * The version changes whenever the stored value's format does, so old and new agents never
 * misread each other's entries during a rolling upgrade.
 */
final class RedisKeys {
    static final String VERSION = "v1";

    private final String prefix;

    RedisKeys(String prefix) {
        this.prefix = prefix + ":" + VERSION + ":";
    }

    String of(Indicator indicator) {
        char kind = switch (indicator.kind()) {
            case DOMAIN -> 'd';
            case IP -> 'i';
            case URL -> 'u';
        };
        return prefix + kind + ':' + indicator.value();
    }
}
