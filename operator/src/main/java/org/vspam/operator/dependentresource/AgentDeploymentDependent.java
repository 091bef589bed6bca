package org.vspam.operator.dependentresource;

import org.vspam.operator.plan.AgentNames;
import org.vspam.operator.plan.AgentContainer;
import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.AffinityBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import java.util.LinkedHashMap;
import java.util.Map;
import org.vspam.operator.customresource.DeploymentSpec;
import org.vspam.operator.customresource.VspamAgent;
import org.vspam.operator.plan.AgentPlan;

/**
 * The shared agent Deployment other MTAs reach through the Service. A rollout never lowers the
 * number of answering agents (maxUnavailable 0); pods prefer different nodes; a configuration
 * change rolls them through the config-hash annotation.
 */
@KubernetesDependent(informer = @Informer(labelSelector = AgentNames.MANAGED_SELECTOR))
public final class AgentDeploymentDependent extends CRUDKubernetesDependentResource<Deployment, VspamAgent> {
    static final int PRE_STOP_SECONDS = 5;
    static final long TERMINATION_GRACE_SECONDS = 30;


    public AgentDeploymentDependent() {
        super(Deployment.class);
    }

    @Override
    protected Deployment desired(VspamAgent agent, Context<VspamAgent> context) {
        return render(agent, Plans.of(context));
    }

    public static Deployment render(VspamAgent agent, AgentPlan plan) {
        DeploymentSpec spec = agent.getSpec().deployment == null ? new DeploymentSpec() : agent.getSpec().deployment;
        Map<String, String> podAnnotations = new LinkedHashMap<>();
        podAnnotations.put(AgentNames.CONFIG_HASH, plan.configHash());
        // For a Prometheus without the Operator: scrape by annotation.
        podAnnotations.put("prometheus.io/scrape", "true");
        podAnnotations.put("prometheus.io/port", Integer.toString(AgentNames.METRICS_PORT));
        podAnnotations.put("prometheus.io/path", "/metrics");
        return new DeploymentBuilder()
                .withMetadata(AgentNames.metadata(agent, AgentNames.workload(agent)))
                .withNewSpec()
                .withReplicas(spec.replicas)
                .withNewSelector().withMatchLabels(AgentNames.selector(agent)).endSelector()
                .withNewStrategy().withType("RollingUpdate")
                .withNewRollingUpdate().withMaxUnavailable(new IntOrString(0)).withMaxSurge(new IntOrString(1)).endRollingUpdate()
                .endStrategy()
                .withNewTemplate()
                .withNewMetadata().withLabels(AgentNames.labels(agent)).withAnnotations(podAnnotations).endMetadata()
                .withNewSpec()
                .withAutomountServiceAccountToken(false)
                .withEnableServiceLinks(false)
                .withNewSecurityContext()
                .withRunAsNonRoot(true).withRunAsUser((long) AgentContainer.UID).withRunAsGroup((long) AgentContainer.UID)
                .withFsGroup((long) AgentContainer.UID)
                .withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile()
                .endSecurityContext()
                .addToContainers(AgentContainer.container(plan, false)
                        .addNewPort().withName("policy").withContainerPort(AgentNames.POLICY_PORT).withProtocol("TCP").endPort()
                        .withReadinessProbe(AgentContainer.health(5, 2))
                        // Endpoints drop a terminating pod a moment after SIGTERM would reach it: the pause
                        // lets other MTAs' new connections go elsewhere before the agent stops accepting.
                        // Pause, drain (shutdown_timeout, 5 s) and report flush (5 s) fit the 30 s grace period.
                        .withNewLifecycle().withNewPreStop().withNewExec().withCommand("sleep", String.valueOf(PRE_STOP_SECONDS))
                        .endExec().endPreStop().endLifecycle()
                        .build())
                .withVolumes(AgentContainer.volumes(agent, plan, false))
                .withTerminationGracePeriodSeconds(TERMINATION_GRACE_SECONDS)
                .withNodeSelector(spec.nodeSelector)
                .withTolerations(spec.tolerations)
                .withAffinity(spec.affinity != null ? spec.affinity : spreadOverNodes(agent))
                .withPriorityClassName(spec.priorityClassName)
                .endSpec()
                .endTemplate()
                .endSpec()
                .build();
    }

    private static Affinity spreadOverNodes(VspamAgent agent) {
        return new AffinityBuilder().withNewPodAntiAffinity()
                .addNewPreferredDuringSchedulingIgnoredDuringExecution()
                .withWeight(100)
                .withNewPodAffinityTerm()
                .withTopologyKey("kubernetes.io/hostname")
                .withNewLabelSelector().withMatchLabels(AgentNames.selector(agent)).endLabelSelector()
                .endPodAffinityTerm()
                .endPreferredDuringSchedulingIgnoredDuringExecution()
                .endPodAntiAffinity()
                .build();
    }
}
