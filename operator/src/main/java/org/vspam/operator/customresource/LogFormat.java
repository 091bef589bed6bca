package org.vspam.operator.customresource;

import com.fasterxml.jackson.annotation.JsonProperty;

/** {@code spec.logFormat}, written as agent.yml writes it. */
public enum LogFormat {
    @JsonProperty("text") TEXT,
    @JsonProperty("json") JSON
}
