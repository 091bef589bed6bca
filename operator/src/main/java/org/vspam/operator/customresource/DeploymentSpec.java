package org.vspam.operator.customresource;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.Toleration;
import java.util.List;
import java.util.Map;

/** {@code spec.deployment}: the shared agent Deployment and its Service. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class DeploymentSpec {
    /** Shared agents when the spec does not say: two, so that one can restart while the other answers. */
    public static final int DEFAULT_REPLICAS = 2;

    @JsonPropertyDescription("Run the shared Deployment and Service; turn off to run only sidecars")
    @Default("true")
    public Boolean enabled = true;

    @JsonPropertyDescription("Agent pods; more than one also gets a PodDisruptionBudget")
    @Min(0)
    @Max(100)
    @Default("" + DEFAULT_REPLICAS)
    public Integer replicas = DEFAULT_REPLICAS;

    @JsonPropertyDescription("CPU and memory of each agent container; the operator's measured defaults when empty")
    public ResourceRequirements resources;

    @JsonPropertyDescription("Node labels the agent pods must run on")
    public Map<String, String> nodeSelector;

    @JsonPropertyDescription("Tolerations of the agent pods")
    public List<Toleration> tolerations;

    @JsonPropertyDescription("Affinity of the agent pods; by default they prefer different nodes")
    public Affinity affinity;

    @JsonPropertyDescription("PriorityClass of the agent pods")
    public String priorityClassName;
}
