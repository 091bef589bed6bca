package org.vspam.operator.customresource;

import com.fasterxml.jackson.annotation.JsonProperty;

/** {@code spec.actions.*}: agent.yml's action words ({@link org.vspam.config.Action}). */
public enum ListingAction {
    @JsonProperty("reject") REJECT,
    @JsonProperty("defer") DEFER,
    @JsonProperty("prepend") PREPEND,
    @JsonProperty("allow") ALLOW
}
