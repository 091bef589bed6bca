package org.vspam.operator.customresource;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;

/** One key of a Secret in the resource's namespace. */
public class SecretKeyRef {
    @JsonPropertyDescription("Name of the Secret, in the VspamAgent's namespace")
    @Required
    @Pattern("^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")
    public String name;

    @JsonPropertyDescription("Key within the Secret")
    @Required
    @Pattern("^[-._a-zA-Z0-9]+$")
    public String key;

    public SecretKeyRef() {
    }

    public SecretKeyRef(String name, String key) {
        this.name = name;
        this.key = key;
    }

    @Override
    public String toString() {
        return "secret \"" + name + "\" key \"" + key + "\"";
    }
}
