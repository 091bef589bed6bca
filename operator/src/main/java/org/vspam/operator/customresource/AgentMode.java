package org.vspam.operator.customresource;

import com.fasterxml.jackson.annotation.JsonProperty;

/** {@code spec.mode}: agent.yml's {@code mode} ({@link org.vspam.config.Mode}). */
public enum AgentMode {
    @JsonProperty("enforce") ENFORCE,
    @JsonProperty("monitor") MONITOR
}
