package org.vspam.operator.customresource;

import com.fasterxml.jackson.annotation.JsonProperty;

/** {@code spec.logLevel}, written as agent.yml writes it. */
public enum LogLevel {
    @JsonProperty("debug") DEBUG,
    @JsonProperty("info") INFO,
    @JsonProperty("warn") WARN,
    @JsonProperty("error") ERROR
}
