package org.vspam.operator.dependentresource;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import java.util.List;
import org.vspam.operator.customresource.MilterSpec;
import org.vspam.operator.customresource.VspamAgent;
import org.vspam.operator.plan.AgentContainer;
import org.vspam.operator.plan.AgentNames;

/**
 * The in-cluster endpoint of the shared agents: policy delegation on 10045 (Postfix's
 * {@code check_policy_service inet:NAME.NAMESPACE.svc:10045}), the HTTP check on 10046, health and metrics on 10048.
 */
@KubernetesDependent(informer = @Informer(labelSelector = AgentNames.MANAGED_SELECTOR))
public final class AgentServiceDependent extends CRUDKubernetesDependentResource<Service, VspamAgent> {

    public AgentServiceDependent() {
        super(Service.class);
    }

    @Override
    protected Service desired(VspamAgent agent, Context<VspamAgent> context) {
        return render(agent);
    }

    public static Service render(VspamAgent agent) {
        return new ServiceBuilder()
                .withMetadata(AgentNames.metadata(agent, AgentNames.workload(agent)))
                .withNewSpec()
                .withType("ClusterIP")
                .withSelector(AgentNames.selector(agent))
                .addNewPort().withName("policy").withPort(AgentNames.POLICY_PORT).withTargetPort(new IntOrString("policy"))
                .withProtocol("TCP").endPort()
                .addNewPort().withName("http").withPort(AgentNames.HTTP_PORT).withTargetPort(new IntOrString("http"))
                .withProtocol("TCP").endPort()
                .addNewPort().withName(AgentContainer.METRICS_PORT_NAME).withPort(AgentNames.METRICS_PORT)
                .withTargetPort(new IntOrString(AgentContainer.METRICS_PORT_NAME)).withProtocol("TCP").endPort()
                .addAllToPorts(MilterSpec.enabled(agent.getSpec())
                        ? List.of(new ServicePortBuilder().withName("milter").withPort(AgentNames.MILTER_PORT).withTargetPort(new IntOrString("milter"))
                                .withProtocol("TCP").build())
                        : List.of())
                .endSpec()
                .build();
    }
}
