package org.vspam.operator.dependentresource;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeerBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPortBuilder;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.vspam.operator.customresource.MilterSpec;
import org.vspam.operator.customresource.NetworkPolicySpec;
import org.vspam.operator.customresource.VspamAgent;
import org.vspam.operator.plan.AgentNames;

/**
 * With {@code spec.networkPolicy.enabled}: the shared agents accept the policy, HTTP check and milter
 * ports from {@code clients} only (by default the pods of their own namespace), and the metrics port
 * from the {@code prometheus} namespaces only (by default their own). The kubelet's probes are not
 * subject to it.
 */
@KubernetesDependent(informer = @Informer(labelSelector = AgentNames.MANAGED_SELECTOR))
public final class AgentNetworkPolicyDependent extends CRUDKubernetesDependentResource<NetworkPolicy, VspamAgent> {
    /** The label every namespace carries with its own name (Kubernetes 1.21+). */
    static final String NAMESPACE_NAME = "kubernetes.io/metadata.name";

    public AgentNetworkPolicyDependent() {
        super(NetworkPolicy.class);
    }

    @Override
    protected NetworkPolicy desired(VspamAgent agent, Context<VspamAgent> context) {
        return render(agent);
    }

    public static NetworkPolicy render(VspamAgent agent) {
        NetworkPolicySpec spec = agent.getSpec().networkPolicy == null ? new NetworkPolicySpec() : agent.getSpec().networkPolicy;
        LabelSelector ownNamespace = new LabelSelectorBuilder().withMatchLabels(Map.of(NAMESPACE_NAME, agent.getMetadata().getNamespace())).build();
        List<NetworkPolicyPeer> clients = spec.clients == null || spec.clients.isEmpty()
                ? List.of(new NetworkPolicyPeerBuilder().withNamespaceSelector(ownNamespace).build()) : spec.clients;
        List<NetworkPolicyPort> served = new ArrayList<>(List.of(port(AgentNames.POLICY_PORT), port(AgentNames.HTTP_PORT)));
        if (MilterSpec.enabled(agent.getSpec())) {
            served.add(port(AgentNames.MILTER_PORT));
        }
        return new NetworkPolicyBuilder()
                .withMetadata(AgentNames.metadata(agent, AgentNames.workload(agent)))
                .withNewSpec()
                .withNewPodSelector().withMatchLabels(AgentNames.selector(agent)).endPodSelector()
                .withPolicyTypes("Ingress")
                .addNewIngress().withFrom(clients).withPorts(served).endIngress()
                .addNewIngress()
                .withFrom(new NetworkPolicyPeerBuilder().withNamespaceSelector(spec.prometheus == null ? ownNamespace : spec.prometheus).build())
                .withPorts(port(AgentNames.METRICS_PORT)).endIngress()
                .endSpec()
                .build();
    }

    private static NetworkPolicyPort port(int number) {
        return new NetworkPolicyPortBuilder().withProtocol("TCP").withPort(new IntOrString(number)).build();
    }
}
