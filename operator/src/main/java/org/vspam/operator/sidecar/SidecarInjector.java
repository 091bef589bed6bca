package org.vspam.operator.sidecar;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vspam.operator.customresource.SidecarInjection;
import org.vspam.operator.customresource.SidecarSpec;
import org.vspam.operator.customresource.VspamAgent;
import org.vspam.operator.plan.AgentPlan;

/**
 * Keeps the sidecar in every Postfix workload a {@code VspamAgent} selects, and out of every one it
 * no longer selects. A workload another VspamAgent already carries is left alone and reported.
 * While the plan cannot be deployed (invalid config, missing Secret) nothing is injected or changed:
 * a sidecar that cannot start would keep Postfix from starting.
 *
 * <p>With {@code injection: webhook} the workloads are not written at all (only a sidecar this agent
 * once patched in is taken out again): the admission webhook adds the sidecar to their pods. A
 * webhook that is down or unreachable lets pods start without it, so the running pods are checked
 * here, reported, and (if the resource asks for it) evicted one at a time to be recreated with it.
 */
public final class SidecarInjector {
    private static final Logger LOG = LoggerFactory.getLogger(SidecarInjector.class);

    /**
     * What became of the workloads.
     *
     * @param podsWithoutSidecar webhook injection: running pods of protected workloads that lack the sidecar
     * @param outdatedPods       webhook injection: running pods whose sidecar is not the current one
     */
    public record Outcome(List<String> protectedWorkloads, List<String> conflicts, List<String> waiting,
                          List<String> podsWithoutSidecar, List<String> outdatedPods) {
    }

    /**
     * @param neighbours every VspamAgent of the namespace (this one included): which of them a
     *                   webhook-injected workload belongs to is decided among them
     */
    public Outcome reconcile(VspamAgent agent, AgentPlan plan, List<Workload> workloads, List<VspamAgent> neighbours,
                             KubernetesClient client) {
        String name = agent.getMetadata().getName();
        SidecarSpec spec = agent.getSpec().sidecars;
        boolean webhook = spec != null && spec.injectionMode() == SidecarInjection.WEBHOOK;
        List<String> containers = containers(agent);
        String fingerprint = PostfixSidecar.fingerprint(agent, plan, containers);
        Outcome outcome = new Outcome(new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        for (Workload workload : workloads) {
            boolean selected = spec != null && spec.selector != null && Workloads.selects(spec.selector, workload);
            String claim = workload.claim();
            if (claim != null && !claim.equals(name)) {
                if (selected) {
                    outcome.conflicts().add(workload.reference() + " (carries VspamAgent \"" + claim + "\")");
                }
                continue;
            }
            if (!selected || webhook) {
                if (claim != null) {
                    LOG.info("removing the vspam-agent sidecar from {} in {}: VspamAgent {} {}", workload.reference(),
                            agent.getMetadata().getNamespace(), name, selected ? "now injects it into the pods (injection: webhook)" : "no longer selects it");
                    workload.update(client, PostfixSidecar::remove, null);
                }
                if (selected) {
                    webhook(agent, plan, workload, neighbours, fingerprint, client, outcome);
                }
                continue;
            }
            if (PostfixSidecar.upToDate(workload.template(), fingerprint, containers) && name.equals(claim)) {
                outcome.protectedWorkloads().add(workload.reference());
            } else if (plan.deployable()) {
                LOG.info("{} the vspam-agent sidecar in {} in {}", PostfixSidecar.present(workload.template()) ? "updating" : "adding",
                        workload.reference(), agent.getMetadata().getNamespace());
                workload.update(client, template -> PostfixSidecar.inject(template, agent, plan, containers), name);
                outcome.protectedWorkloads().add(workload.reference());
            } else if (PostfixSidecar.present(workload.template())) {
                outcome.protectedWorkloads().add(workload.reference()); // keeps its last good sidecar
            } else {
                outcome.waiting().add(workload.reference());
            }
        }
        return outcome;
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

    /** The containers of a selected pod that get the socket mount; empty = every container. */
    public static List<String> containers(VspamAgent agent) {
        SidecarSpec spec = agent.getSpec().sidecars;
        return spec == null || spec.containers == null ? List.of() : spec.containers;
    }

    /**
     * Which VspamAgent's sidecar the webhook gives the pods of an unclaimed workload: of those with
     * {@code injection: webhook} that select it, the oldest (then the first by name), so the webhook and
     * the reconciler of each of them agree without writing anything down.
     */
    public static Optional<VspamAgent> webhookAgent(List<VspamAgent> neighbours, Workload workload) {
        if (workload.claim() != null) {
            return Optional.empty(); // a patched-in sidecar is already in its pods
        }
        return neighbours.stream()
                .filter(agent -> agent.getSpec().sidecars != null && agent.getSpec().sidecars.injectionMode() == SidecarInjection.WEBHOOK
                        && agent.getSpec().sidecars.selector != null && Workloads.selects(agent.getSpec().sidecars.selector, workload)
                        && agent.getMetadata().getDeletionTimestamp() == null)
                .min(Comparator.comparing((VspamAgent agent) -> String.valueOf(agent.getMetadata().getCreationTimestamp()))
                        .thenComparing(agent -> agent.getMetadata().getName()));
    }

    private void webhook(VspamAgent agent, AgentPlan plan, Workload workload, List<VspamAgent> neighbours, String fingerprint,
                         KubernetesClient client, Outcome outcome) {
        String owner = webhookAgent(neighbours, workload).map(a -> a.getMetadata().getName()).orElse(null);
        if (!agent.getMetadata().getName().equals(owner)) {
            outcome.conflicts().add(workload.reference() + " (its pods get VspamAgent \"" + owner + "\")");
            return;
        }
        if (!plan.deployable()) {
            outcome.waiting().add(workload.reference());
            return;
        }
        outcome.protectedWorkloads().add(workload.reference());
        List<Pod> pods = client.pods().inNamespace(agent.getMetadata().getNamespace()).withLabelSelector(workload.podSelector()).list().getItems();
        List<Pod> lacking = new ArrayList<>();
        for (Pod pod : pods.stream().filter(pod -> pod.getMetadata().getDeletionTimestamp() == null && running(pod)).toList()) {
            if (!PostfixSidecar.present(pod)) {
                outcome.podsWithoutSidecar().add(pod.getMetadata().getName());
                lacking.add(pod);
            } else if (!fingerprint.equals(PostfixSidecar.fingerprintOf(pod))) {
                outcome.outdatedPods().add(pod.getMetadata().getName());
                lacking.add(pod);
            }
        }
        if (!lacking.isEmpty() && agent.getSpec().sidecars.restarts()) {
            restartOne(agent, workload, lacking.getFirst(), pods, client);
        }
    }

    /**
     * One pod at a time, by eviction (so a PodDisruptionBudget is respected), and only while every
     * other pod of the workload is ready and none is going: the next one goes at a later reconcile.
     */
    private static void restartOne(VspamAgent agent, Workload workload, Pod pod, List<Pod> pods, KubernetesClient client) {
        String namespace = agent.getMetadata().getNamespace();
        boolean settled = pods.stream()
                .filter(other -> !other.getMetadata().getName().equals(pod.getMetadata().getName()))
                .allMatch(other -> other.getMetadata().getDeletionTimestamp() == null && ready(other));
        if (!settled) {
            return;
        }
        try {
            boolean evicted = client.pods().inNamespace(namespace).withName(pod.getMetadata().getName()).evict();
            LOG.info("{} pod {} of {} in {}, which lacks the current vspam-agent sidecar (restartPodsWithoutSidecar)",
                    evicted ? "evicted" : "could not evict (a PodDisruptionBudget forbids it now)", pod.getMetadata().getName(),
                    workload.reference(), namespace);
        } catch (KubernetesClientException e) {
            LOG.warn("could not evict pod {} of {} in {}: {}", pod.getMetadata().getName(), workload.reference(), namespace, e.getMessage());
        }
    }

    private static boolean ready(Pod pod) {
        return pod.getStatus() != null && pod.getStatus().getConditions() != null && pod.getStatus().getConditions().stream()
                .anyMatch(condition -> "Ready".equals(condition.getType()) && "True".equals(condition.getStatus()));
    }

    private static boolean running(Pod pod) {
        String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
        return !"Succeeded".equals(phase) && !"Failed".equals(phase);
    }
}
