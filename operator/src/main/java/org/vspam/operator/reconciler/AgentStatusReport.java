package org.vspam.operator.reconciler;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.openshift.api.model.monitoring.v1.PodMonitor;
import io.fabric8.openshift.api.model.monitoring.v1.ServiceMonitor;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;
import java.util.SequencedMap;
import org.vspam.operator.customresource.DeploymentSpec;
import org.vspam.operator.customresource.VspamAgent;
import org.vspam.operator.customresource.VspamAgentSpec;
import org.vspam.operator.customresource.VspamAgentStatus;
import org.vspam.operator.dependentresource.Conditions;
import org.vspam.operator.plan.AgentNames;
import org.vspam.operator.plan.AgentPlan;
import org.vspam.operator.sidecar.SidecarInjector;

/**
 * The status of a {@code VspamAgent}: whether its configuration is valid, its Secrets are there, its
 * agents answer and its Postfix workloads carry the sidecar, each as a condition whose message says
 * what to do, summed up in {@code Ready}.
 */
public final class AgentStatusReport {
    static final String CONFIG_VALID = "ConfigValid";
    static final String SECRETS_RESOLVED = "SecretsResolved";
    static final String DEPLOYMENT_READY = "DeploymentReady";
    static final String SIDECARS_INJECTED = "SidecarsInjected";
    static final String METRICS_SCRAPED = "MetricsScraped";
    static final String CONFIG_APPLIED = "ConfigApplied";
    private static final String APPLYING = "Applying";

    private final StatusConditions conditions;

    public AgentStatusReport(Clock clock) {
        this.conditions = new StatusConditions(clock);
    }

    VspamAgentStatus of(VspamAgent agent, AgentPlan plan, Optional<Deployment> deployment, SidecarInjector.Outcome sidecars,
                        KubernetesClient client) {
        VspamAgentSpec spec = agent.getSpec();
        VspamAgentStatus status = new VspamAgentStatus();
        List<Check> decisive = new ArrayList<>();
        decisive.add(plan.configProblem().map(problem -> Check.fails(CONFIG_VALID, problem))
                .orElseGet(() -> Check.holds(CONFIG_VALID, "Valid", "the agent accepts the configuration")));
        decisive.add(plan.secretProblem().map(problem -> Check.fails(SECRETS_RESOLVED, problem))
                .orElseGet(() -> Check.holds(SECRETS_RESOLVED, "Resolved", "every referenced Secret key is present")));
        List<String> summary = new ArrayList<>();
        if (Conditions.deploymentEnabled(agent)) {
            int wanted = spec.deployment == null || spec.deployment.replicas == null ? DeploymentSpec.DEFAULT_REPLICAS : spec.deployment.replicas;
            int ready = deployment.map(d -> d.getStatus() == null || d.getStatus().getReadyReplicas() == null ? 0 : d.getStatus().getReadyReplicas())
                    .orElse(0);
            status.replicas = wanted;
            status.readyReplicas = ready;
            decisive.add(deploymentCheck(agent, deployment.isPresent(), wanted, ready));
            summary.add(ready + "/" + wanted + " agents ready");
        }
        // Empty lists are left out, as the API server stores them (a status patch drops an added []);
        // written as [] they would differ from what is read back, and every reconcile would write again.
        status.protectedWorkloads = nullIfEmpty(sidecars.protectedWorkloads());
        status.protectedCount = sidecars.protectedWorkloads().size();
        status.podsWithoutSidecar = nullIfEmpty(sidecars.podsWithoutSidecar());
        if (spec.sidecars != null) {
            decisive.add(sidecarCheck(agent, sidecars));
            summary.add(sidecars.protectedWorkloads().size() + " Postfix workload(s) protected");
        }
        List<Check> informational = new ArrayList<>();
        if (plan.deployable()) {
            informational.add(appliedCheck(AppliedConfig.count(agent, plan.liveHash(), client)));
        }
        if (Conditions.serviceMonitorWanted(agent) || Conditions.podMonitorWanted(agent)) {
            informational.add(metricsCheck(agent, client));
        }
        status.observedGeneration = agent.getMetadata().getGeneration();
        status.conditions = conditions.build(decisive, informational, String.join("; ", summary), status.observedGeneration,
                previous(agent));
        return status;
    }

    /** The last status, with Ready turned false by an error the reconciliation could not get past (it is retried). */
    VspamAgentStatus failed(VspamAgent agent, Exception e) {
        VspamAgentStatus status = agent.getStatus() == null ? new VspamAgentStatus() : agent.getStatus();
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().lines().findFirst().orElse("");
        status.conditions = conditions.failed("ReconcileError", message + " (retrying)", agent.getMetadata().getGeneration(), previous(agent));
        return status;
    }

    private static List<String> nullIfEmpty(List<String> items) {
        return items.isEmpty() ? null : List.copyOf(items);
    }

    private static List<Condition> previous(VspamAgent agent) {
        return agent.getStatus() == null || agent.getStatus().conditions == null ? List.of() : agent.getStatus().conditions;
    }

    private static Check deploymentCheck(VspamAgent agent, boolean exists, int wanted, int ready) {
        String name = "deployment \"" + AgentNames.workload(agent) + "\"";
        if (!exists) {
            return Check.fails(DEPLOYMENT_READY, "NotCreated", name + " is not created yet");
        }
        if (ready < wanted) {
            return Check.fails(DEPLOYMENT_READY, "ReplicasNotReady", ready + "/" + wanted + " agent pods of " + name
                    + " ready; kubectl -n " + agent.getMetadata().getNamespace() + " describe " + name.replace("\"", "") + " says why");
        }
        return Check.holds(DEPLOYMENT_READY, "ReplicasReady", ready + "/" + wanted + " agent pods ready");
    }

    private static Check sidecarCheck(VspamAgent agent, SidecarInjector.Outcome sidecars) {
        if (!sidecars.conflicts().isEmpty()) {
            return Check.fails(SIDECARS_INJECTED, "WorkloadClaimed", "selected but already protected by another VspamAgent: "
                    + String.join(", ", sidecars.conflicts()) + "; narrow one of the selectors");
        }
        if (!sidecars.waiting().isEmpty()) {
            return Check.fails(SIDECARS_INJECTED, "Waiting", "not injected until the configuration is valid and its Secrets exist: "
                    + String.join(", ", sidecars.waiting()));
        }
        String restart = agent.getSpec().sidecars.restarts() ? "they are evicted one at a time to be recreated with it"
                : "delete them (or set spec.sidecars.restartPodsWithoutSidecar) to have them recreated with it";
        if (!sidecars.podsWithoutSidecar().isEmpty()) {
            return Check.fails(SIDECARS_INJECTED, "PodsWithoutSidecar", "running without the sidecar (started while the operator's "
                    + "webhook was unreachable, or without it installed): " + String.join(", ", sidecars.podsWithoutSidecar()) + "; " + restart);
        }
        if (!sidecars.outdatedPods().isEmpty()) {
            return Check.fails(SIDECARS_INJECTED, "PodsWithOutdatedSidecar", "running an earlier sidecar: "
                    + String.join(", ", sidecars.outdatedPods()) + "; " + restart);
        }
        if (sidecars.protectedWorkloads().isEmpty()) {
            return Check.holds(SIDECARS_INJECTED, "NoneSelected", "no Deployment or StatefulSet in namespace \""
                    + agent.getMetadata().getNamespace() + "\" matches spec.sidecars.selector");
        }
        return Check.holds(SIDECARS_INJECTED, "Injected", "sidecar in " + String.join(", ", sidecars.protectedWorkloads()));
    }

    /** Whether every running agent reports the configuration in the ConfigMap (see {@link AppliedConfig}). */
    private static Check appliedCheck(AppliedConfig.Count count) {
        if (count.total() == 0) {
            return Check.fails(CONFIG_APPLIED, "NoAgentRunning", "no agent pod is running yet");
        }
        String message = count.current() + "/" + count.total() + " agents run the current configuration";
        return count.complete() ? Check.holds(CONFIG_APPLIED, "Applied", message)
                : Check.fails(CONFIG_APPLIED, APPLYING, message + "; the kubelet updates a mounted ConfigMap within about a minute");
    }

    /** True while a change is on its way to running agents: the status is then looked at again soon. */
    static boolean applying(VspamAgentStatus status) {
        return status.conditions != null && status.conditions.stream()
                .anyMatch(condition -> condition.getType().equals(CONFIG_APPLIED) && APPLYING.equals(condition.getReason()));
    }

    /** Whether the monitors asked for exist: the ServiceMonitor of the shared agents, the PodMonitor of the sidecars. */
    private static Check metricsCheck(VspamAgent agent, KubernetesClient client) {
        String namespace = agent.getMetadata().getNamespace();
        SequencedMap<String, String> made = new LinkedHashMap<>(); // kind to name
        SequencedMap<String, String> missing = new LinkedHashMap<>();
        if (Conditions.serviceMonitorWanted(agent)) {
            String name = AgentNames.workload(agent);
            (client.resources(ServiceMonitor.class).inNamespace(namespace).withName(name).get() != null ? made : missing).put("ServiceMonitor", name);
        }
        if (Conditions.podMonitorWanted(agent)) {
            String name = AgentNames.sidecarMonitor(agent);
            (client.resources(PodMonitor.class).inNamespace(namespace).withName(name).get() != null ? made : missing).put("PodMonitor", name);
        }
        if (!missing.isEmpty()) {
            return Check.fails(METRICS_SCRAPED, missing.size() == 1 ? missing.firstEntry().getKey() + "Unavailable" : "MonitorsUnavailable",
                    "no " + String.join(" nor ", missing.keySet()) + ": the Prometheus Operator's CRD (monitoring.coreos.com) is not installed, "
                    + "or was installed after the operator started; the shared agent pods carry prometheus.io/scrape annotations meanwhile");
        }
        List<String> shown = made.entrySet().stream().map(monitor -> monitor.getKey() + " \"" + monitor.getValue() + "\"").toList();
        return Check.holds(METRICS_SCRAPED, made.size() == 1 ? made.firstEntry().getKey() + "Created" : "MonitorsCreated",
                String.join(" and ", shown) + (made.size() == 1 ? " scrapes" : " scrape") + " /metrics");
    }
}
