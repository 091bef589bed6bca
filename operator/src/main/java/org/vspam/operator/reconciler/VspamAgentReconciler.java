package org.vspam.operator.reconciler;

import org.vspam.operator.plan.AgentPlanner;
import org.vspam.operator.plan.AgentPlan;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.PrimaryUpdateAndCacheUtils;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.Workflow;
import io.javaoperatorsdk.operator.api.reconciler.dependent.Dependent;
import io.javaoperatorsdk.operator.processing.dependent.workflow.CRDPresentActivationCondition;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.SecondaryToPrimaryMapper;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.vspam.operator.customresource.VspamAgent;
import org.vspam.operator.dependentresource.AgentConfigMapDependent;
import org.vspam.operator.dependentresource.AgentDeploymentDependent;
import org.vspam.operator.dependentresource.AgentDisruptionBudgetDependent;
import org.vspam.operator.dependentresource.AgentNetworkPolicyDependent;
import org.vspam.operator.dependentresource.AgentPodMonitorDependent;
import org.vspam.operator.dependentresource.AgentServiceDependent;
import org.vspam.operator.dependentresource.AgentServiceMonitorDependent;
import org.vspam.operator.dependentresource.Conditions;
import org.vspam.operator.sidecar.SidecarInjector;
import org.vspam.operator.sidecar.Workload;
import org.vspam.operator.sidecar.Workloads;

/**
 * Reconciles a {@code VspamAgent}: plan first (so an invalid configuration or a missing Secret stops
 * before anything is touched), then the owned dependents, then the Postfix sidecars, then the status.
 */
@Workflow(explicitInvocation = true, dependents = {
    @Dependent(name = "config", type = AgentConfigMapDependent.class),
    @Dependent(name = VspamAgentReconciler.DEPLOYMENT, type = AgentDeploymentDependent.class, dependsOn = "config",
            reconcilePrecondition = Conditions.DeploymentEnabled.class),
    @Dependent(name = "service", type = AgentServiceDependent.class, reconcilePrecondition = Conditions.DeploymentEnabled.class),
    @Dependent(name = "disruption-budget", type = AgentDisruptionBudgetDependent.class,
            reconcilePrecondition = Conditions.SeveralReplicas.class),
    @Dependent(name = "network-policy", type = AgentNetworkPolicyDependent.class,
            reconcilePrecondition = Conditions.NetworkPolicyWanted.class),
    @Dependent(name = "service-monitor", type = AgentServiceMonitorDependent.class, dependsOn = "service",
            reconcilePrecondition = Conditions.ServiceMonitorWanted.class, activationCondition = CRDPresentActivationCondition.class),
    @Dependent(name = "pod-monitor", type = AgentPodMonitorDependent.class,
            reconcilePrecondition = Conditions.PodMonitorWanted.class, activationCondition = CRDPresentActivationCondition.class)
})
@ControllerConfiguration(name = VspamAgentReconciler.NAME)
public final class VspamAgentReconciler implements Reconciler<VspamAgent>, Cleaner<VspamAgent> {
    public static final String NAME = "vspamagent";
    static final String DEPLOYMENT = "deployment";
    static final String POSTFIX_DEPLOYMENTS = "postfix-deployments";
    static final String POSTFIX_STATEFULSETS = "postfix-statefulsets";

    /**
     * A missing Secret, or a pod that lacks the sidecar, is looked at again this soon (or at the
     * recheck, if that is sooner).
     */
    private static final Duration SOON = Duration.ofSeconds(10);

    private final AgentPlanner planner;
    private final AgentStatusReport status;
    private final SidecarInjector sidecars = new SidecarInjector();
    private final Duration secretRecheck;
    private final ReconcilerMetrics metrics;

    /**
     * Secrets are read by name when a VspamAgent is reconciled, and again every {@code secretRecheck}:
     * the operator lists and watches no Secrets, so it neither holds the cluster's Secrets in memory
     * nor needs the right to read all of them. A rotated key rolls the pods within that interval.
     */
    public VspamAgentReconciler(AgentPlanner planner, AgentStatusReport status, Duration secretRecheck, ReconcilerMetrics metrics) {
        this.planner = planner;
        this.status = status;
        this.secretRecheck = secretRecheck;
        this.metrics = metrics;
    }

    @Override
    public UpdateControl<VspamAgent> reconcile(VspamAgent agent, Context<VspamAgent> context) {
        AgentPlan plan = planner.plan(agent, name -> Optional.ofNullable(
                context.getClient().secrets().inNamespace(agent.getMetadata().getNamespace()).withName(name).get()));
        context.managedWorkflowAndDependentResourceContext().put(AgentPlan.KEY, plan);
        if (plan.deployable()) {
            context.managedWorkflowAndDependentResourceContext().reconcileManagedWorkflow();
        }
        List<VspamAgent> neighbours = context.getPrimaryCache().list(agent.getMetadata().getNamespace()).toList();
        SidecarInjector.Outcome outcome = sidecars.reconcile(agent, plan, workloads(context, agent), neighbours, context.getClient());
        metrics.record(agent, outcome.podsWithoutSidecar().size() + outcome.outdatedPods().size());
        Optional<Deployment> deployment = context.getSecondaryResource(Deployment.class, DEPLOYMENT);
        var next = status.of(agent, plan, deployment, outcome, context.getClient());
        boolean unsettled = plan.secretProblem().isPresent() || !outcome.podsWithoutSidecar().isEmpty() || !outcome.outdatedPods().isEmpty()
                || AgentStatusReport.applying(next);
        Duration recheck = unsettled && SOON.compareTo(secretRecheck) < 0 ? SOON : secretRecheck;
        if (next.equals(agent.getStatus())) {
            return UpdateControl.<VspamAgent>noUpdate().rescheduleAfter(recheck);
        }
        // Written and kept in the SDK's cache at once: a reconcile that an event (the sidecar's own
        // Deployment patch) starts before the informer has the new status would otherwise see none,
        // make fresh transition times, and write the status a second time.
        PrimaryUpdateAndCacheUtils.patchStatusAndCacheResource(agent, context, current -> {
            current.setStatus(next);
            return current;
        });
        return UpdateControl.<VspamAgent>noUpdate().rescheduleAfter(recheck);
    }

    @Override
    public DeleteControl cleanup(VspamAgent agent, Context<VspamAgent> context) {
        sidecars.removeAll(agent, workloads(context, agent), context.getClient());
        metrics.forget(agent);
        return DeleteControl.defaultDelete(); // owned objects go with the resource (owner references)
    }

    @Override
    public ErrorStatusUpdateControl<VspamAgent> updateErrorStatus(VspamAgent agent, Context<VspamAgent> context, Exception e) {
        metrics.failed();
        agent.setStatus(status.failed(agent, e));
        return ErrorStatusUpdateControl.patchStatus(agent);
    }

    @Override
    public List<EventSource<?, VspamAgent>> prepareEventSources(EventSourceContext<VspamAgent> context) {
        return List.of(
                informer(context, Deployment.class, POSTFIX_DEPLOYMENTS, workload ->
                        agents(context, workload, agent -> concerns(agent, new Workload.OfDeployment(workload)))),
                informer(context, StatefulSet.class, POSTFIX_STATEFULSETS, workload ->
                        agents(context, workload, agent -> concerns(agent, new Workload.OfStatefulSet(workload)))));
    }

    private static <R extends HasMetadata> InformerEventSource<R, VspamAgent> informer(
            EventSourceContext<VspamAgent> context, Class<R> type, String name,
            SecondaryToPrimaryMapper<R> mapper) {
        return new InformerEventSource<>(InformerEventSourceConfiguration.from(type, VspamAgent.class)
                .withName(name)
                .withNamespacesInheritedFromController()
                .withSecondaryToPrimaryMapper(mapper)
                .build(), context);
    }

    /** The VspamAgents in the object's namespace that {@code concerned} says care about it. */
    private static Set<ResourceID> agents(EventSourceContext<VspamAgent> context, HasMetadata object, Predicate<VspamAgent> concerned) {
        return context.getPrimaryCache().list(object.getMetadata().getNamespace(), concerned)
                .map(ResourceID::fromResource).collect(Collectors.toSet());
    }

    /** Selected by the agent, or still carrying its sidecar (which then has to come out). */
    private static boolean concerns(VspamAgent agent, Workload workload) {
        return agent.getMetadata().getName().equals(workload.claim())
                || agent.getSpec().sidecars != null && agent.getSpec().sidecars.selector != null
                && Workloads.selects(agent.getSpec().sidecars.selector, workload);
    }

    private static List<Workload> workloads(Context<VspamAgent> context, VspamAgent agent) {
        String namespace = agent.getMetadata().getNamespace();
        List<Workload> workloads = new ArrayList<>();
        source(context, Deployment.class, POSTFIX_DEPLOYMENTS).list(namespace).map(Workload.OfDeployment::new).forEach(workloads::add);
        source(context, StatefulSet.class, POSTFIX_STATEFULSETS).list(namespace).map(Workload.OfStatefulSet::new).forEach(workloads::add);
        return workloads;
    }

    @SuppressWarnings("unchecked")
    private static <R extends HasMetadata> InformerEventSource<R, VspamAgent> source(Context<VspamAgent> context, Class<R> type, String name) {
        return (InformerEventSource<R, VspamAgent>) context.eventSourceRetriever().getEventSourceFor(type, name);
    }
}
