package org.vspam.operator.customresource;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;

/** One key of a ConfigMap in the resource's namespace. */
public class ConfigMapKeyRef {
    @JsonPropertyDescription("Name of the ConfigMap, in the VspamAgent's namespace")
    @Required
    @Pattern("^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")
    public String name;

    @JsonPropertyDescription("Key within the ConfigMap")
    @Required
    @Pattern("^[-._a-zA-Z0-9]+$")
    public String key;

    public ConfigMapKeyRef() {
    }

    public ConfigMapKeyRef(String name, String key) {
        this.name = name;
        this.key = key;
    }
}
