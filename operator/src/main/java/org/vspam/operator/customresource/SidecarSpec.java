package org.vspam.operator.customresource;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
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
}
