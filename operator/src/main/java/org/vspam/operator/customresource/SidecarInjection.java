package org.vspam.operator.customresource;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * {@code spec.sidecars.injection}: where the sidecar is added. {@code patch} writes it into the
 * workload's pod template (pods always have it, but a GitOps tool that owns the template sees a
 * change it did not make); {@code webhook} adds it to each pod as the API server creates it, and
 * the workload is never touched.
 */
public enum SidecarInjection {
    @JsonProperty("patch") PATCH,
    @JsonProperty("webhook") WEBHOOK
}
