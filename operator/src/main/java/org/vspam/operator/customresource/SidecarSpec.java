package org.vspam.operator.customresource;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Required;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import java.util.List;

/** {@code spec.sidecars}: which Postfix workloads get the agent beside them. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SidecarSpec {
    @JsonPropertyDescription("Labels of the Deployments and StatefulSets (their own metadata.labels) that get the sidecar")
    @Required
    public LabelSelector selector;

    @JsonPropertyDescription("Containers of those pods that get the socket volume at /var/run/vspam/; empty = every container")
    public List<String> containers;

    @JsonPropertyDescription("CPU and memory of each sidecar; the operator's measured defaults when empty")
    public ResourceRequirements resources;

    @JsonPropertyDescription("patch: the sidecar is written into the workloads' pod templates; webhook: it is added to their pods "
            + "as they are created, by the operator's admission webhook, and the workloads are never changed (for Argo CD, Flux)")
    @Default("patch")
    public SidecarInjection injection;

    @JsonPropertyDescription("webhook injection: delete (evict) running pods of selected workloads that lack the current sidecar, "
            + "one pod per workload at a time, so that their controller recreates them through the webhook")
    public Boolean restartPodsWithoutSidecar;

    @JsonPropertyDescription("Serve the HTTP check API (/check, port 10046) on the pod's address; by default only on loopback, for "
            + "the pod's own rspamd or scripts: on the pod's address any pod in the cluster could use it. Health and metrics are on "
            + "port 10048 either way")
    public Boolean exposeCheckApi;

    /** The injection mode, {@code patch} when the field is absent (resources written before it existed). */
    @JsonIgnore
    public SidecarInjection injectionMode() {
        return injection == null ? SidecarInjection.PATCH : injection;
    }

    @JsonIgnore
    public boolean restarts() {
        return Boolean.TRUE.equals(restartPodsWithoutSidecar);
    }
}
