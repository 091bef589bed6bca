package org.vspam.operator.customresource;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import java.util.List;

/** {@code spec.networkPolicy}: who may reach the shared agents, enforced by the cluster's network plugin. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class NetworkPolicySpec {
    @JsonPropertyDescription("Own a NetworkPolicy for the shared agents: policy, HTTP check and milter ports from clients only, "
            + "metrics from prometheus only; off by default, as Kubernetes users expect")
    @Default("false")
    public Boolean enabled = false;

    @JsonPropertyDescription("Who may use the agents (policy 10045, /check 10046, milter 10047), as NetworkPolicy peers; "
            + "empty = the pods of this namespace (where the Postfix workloads the sidecar selector names are)")
    public List<NetworkPolicyPeer> clients;

    @JsonPropertyDescription("The namespaces whose pods may scrape the agents' metrics (10048), e.g. {matchLabels: "
            + "{kubernetes.io/metadata.name: monitoring}}; empty = this namespace only")
    public LabelSelector prometheus;

    /** True when the resource asks for a NetworkPolicy. */
    public static boolean enabled(VspamAgentSpec spec) {
        return spec.networkPolicy != null && Boolean.TRUE.equals(spec.networkPolicy.enabled);
    }
}
