package org.vspam.operator.customresource;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.ValidationRule;

/** A PEM file of certificate authorities, from a key of a Secret or of a ConfigMap (it is no secret). */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "has(self.secretKeyRef) != has(self.configMapKeyRef)", message = "set exactly one of secretKeyRef and configMapKeyRef")
public class CaRef {
    @JsonPropertyDescription("The Secret key holding the PEM (for example the ca.crt of a cert-manager Certificate's Secret)")
    public SecretKeyRef secretKeyRef;

    @JsonPropertyDescription("The ConfigMap key holding the PEM (for example a trust-manager bundle)")
    public ConfigMapKeyRef configMapKeyRef;

    public CaRef() {
    }

    public static CaRef ofSecret(String name, String key) {
        CaRef ref = new CaRef();
        ref.secretKeyRef = new SecretKeyRef(name, key);
        return ref;
    }

    public static CaRef ofConfigMap(String name, String key) {
        CaRef ref = new CaRef();
        ref.configMapKeyRef = new ConfigMapKeyRef(name, key);
        return ref;
    }
}
