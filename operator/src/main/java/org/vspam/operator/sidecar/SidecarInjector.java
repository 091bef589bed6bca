package org.vspam.operator.sidecar;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vspam.operator.customresource.SidecarSpec;
import org.vspam.operator.customresource.VspamAgent;
import org.vspam.operator.plan.AgentPlan;

/**
 * Keeps the sidecar in every Postfix workload a {@code VspamAgent} selects, and out of every one it
 * no longer selects. A workload another VspamAgent already carries is left alone and reported.
 * While the plan cannot be deployed (invalid config, missing Secret) nothing is injected or changed:
 * a sidecar that cannot start would keep Postfix from starting.
 */
public final class SidecarInjector {
    private static final Logger LOG = LoggerFactory.getLogger(SidecarInjector.class);

    /** What became of the workloads. */
    public record Outcome(List<String> protectedWorkloads, List<String> conflicts, List<String> waiting) {
    }

    public Outcome reconcile(VspamAgent agent, AgentPlan plan, List<Workload> workloads, KubernetesClient client) {
        String name = agent.getMetadata().getName();
        SidecarSpec spec = agent.getSpec().sidecars;
        List<String> containers = spec == null || spec.containers == null ? List.of() : spec.containers;
        String fingerprint = PostfixSidecar.fingerprint(agent, plan, containers);
        List<String> protectedWorkloads = new ArrayList<>();
        List<String> conflicts = new ArrayList<>();
        List<String> waiting = new ArrayList<>();
        for (Workload workload : workloads) {
            boolean selected = spec != null && spec.selector != null && Workloads.selects(spec.selector, workload);
            String claim = workload.claim();
            if (claim != null && !claim.equals(name)) {
                if (selected) {
                    conflicts.add(workload.reference() + " (carries VspamAgent \"" + claim + "\")");
                }
                continue;
            }
            if (!selected) {
                if (claim != null) {
                    LOG.info("removing the vspam-agent sidecar from {} in {}: VspamAgent {} no longer selects it",
                            workload.reference(), agent.getMetadata().getNamespace(), name);
                    workload.update(client, PostfixSidecar::remove, null);
                }
                continue;
            }
            if (PostfixSidecar.upToDate(workload.template(), fingerprint, containers) && name.equals(claim)) {
                protectedWorkloads.add(workload.reference());
            } else if (plan.deployable()) {
                LOG.info("{} the vspam-agent sidecar in {} in {}", PostfixSidecar.present(workload.template()) ? "updating" : "adding",
                        workload.reference(), agent.getMetadata().getNamespace());
                workload.update(client, template -> PostfixSidecar.inject(template, agent, plan, containers), name);
                protectedWorkloads.add(workload.reference());
            } else if (PostfixSidecar.present(workload.template())) {
                protectedWorkloads.add(workload.reference()); // keeps its last good sidecar
            } else {
                waiting.add(workload.reference());
            }
        }
        return new Outcome(protectedWorkloads, conflicts, waiting);
    }

    /** The VspamAgent is going away: every workload that carries its sidecar gets back what it had before. */
    public void removeAll(VspamAgent agent, List<Workload> workloads, KubernetesClient client) {
        for (Workload workload : workloads) {
            if (agent.getMetadata().getName().equals(workload.claim())) {
                LOG.info("removing the vspam-agent sidecar from {} in {}: VspamAgent {} is deleted",
                        workload.reference(), agent.getMetadata().getNamespace(), agent.getMetadata().getName());
                workload.update(client, PostfixSidecar::remove, null);
            }
        }
    }
}
