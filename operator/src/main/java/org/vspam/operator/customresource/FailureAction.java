package org.vspam.operator.customresource;

import com.fasterxml.jackson.annotation.JsonProperty;

/** {@code spec.failureAction}: agent.yml's {@code failure_action} ({@link org.vspam.config.FailureAction}). */
public enum FailureAction {
    @JsonProperty("dunno") DUNNO,
    @JsonProperty("defer") DEFER
}
