package org.vspam.operator.customresource;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.List;
import java.util.Objects;

/**
 * What the operator last made of the resource. Equal statuses are not written again. A new resource
 * has no status at all (the API server drops one sent on create).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class VspamAgentStatus {
    @JsonPropertyDescription("The metadata.generation this status describes")
    public Long observedGeneration;

    @JsonPropertyDescription("Ready, and the conditions it is made of: ConfigValid, SecretsResolved, DeploymentReady, "
            + "SidecarsInjected; and, not part of Ready, MetricsScraped and ConfigApplied (how many running agents report the "
            + "configuration in the ConfigMap, e.g. 3/5)")
    public List<Condition> conditions;

    @JsonPropertyDescription("Agent pods the Deployment asks for")
    public Integer replicas;

    @JsonPropertyDescription("Agent pods ready")
    public Integer readyReplicas;

    @JsonPropertyDescription("Postfix workloads carrying the sidecar, as Kind/name")
    public List<String> protectedWorkloads;

    @JsonPropertyDescription("Number of protectedWorkloads")
    public Integer protectedCount;

    @JsonPropertyDescription("injection: webhook: running pods of the protected workloads that lack the sidecar "
            + "(started while the webhook was unreachable); empty when every pod has it")
    public List<String> podsWithoutSidecar;

    @Override
    public boolean equals(Object other) {
        return other instanceof VspamAgentStatus that
                && Objects.equals(observedGeneration, that.observedGeneration)
                && Objects.equals(conditions, that.conditions)
                && Objects.equals(replicas, that.replicas)
                && Objects.equals(readyReplicas, that.readyReplicas)
                && Objects.equals(protectedWorkloads, that.protectedWorkloads)
                && Objects.equals(protectedCount, that.protectedCount)
                && Objects.equals(podsWithoutSidecar, that.podsWithoutSidecar);
    }

    @Override
    public int hashCode() {
        return Objects.hash(observedGeneration, conditions, replicas, readyReplicas, protectedWorkloads, protectedCount, podsWithoutSidecar);
    }
}
