package org.vspam.operator.reconciler;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.vspam.operator.customresource.VspamAgent;
import org.vspam.operator.plan.AgentNames;

/**
 * How many of a resource's agents run the configuration now in its ConfigMap. Live settings reach the
 * agents without a roll (the kubelet updates the mounted ConfigMap, up to a minute later, and each agent
 * follows its file), so only the agents can say when a change is in force: each running agent pod's
 * {@code /health} names the digest of its live settings, read through the API server's pod proxy
 * ({@code pods/proxy}, get: the one permission this needs; the agents write nothing to the API).
 */
final class AppliedConfig {
    private static final Pattern CONFIG = Pattern.compile("\"config\"\\s*:\\s*\"([0-9a-f]+)\"");
    /** The longest a reconciliation waits for the agents' answers; one that has not answered by then counts as not current. */
    static final Duration WAIT = Duration.ofSeconds(3);
    private static final Executor VIRTUAL = task -> Thread.ofVirtual().name("vspam-applied-config").start(task);

    /** {@code current} of {@code total} running agents report the digest. */
    record Count(int current, int total) {
        boolean complete() {
            return current == total;
        }
    }

    private AppliedConfig() {
    }

    static Count count(VspamAgent agent, String liveHash, KubernetesClient client) {
        String namespace = agent.getMetadata().getNamespace();
        List<Pod> pods = new ArrayList<>();
        for (Map<String, String> selector : List.of(AgentNames.selector(agent), AgentNames.sidecarSelector(agent))) {
            pods.addAll(client.pods().inNamespace(namespace).withLabels(selector).list().getItems());
        }
        // Asked all at once, on virtual threads, and waited for at most WAIT: an agent that does not answer
        // (starting, or a pod the API server cannot reach) costs the reconciliation no more than that.
        List<CompletableFuture<String>> reports = pods.stream()
                .filter(pod -> pod.getMetadata().getDeletionTimestamp() == null && pod.getStatus() != null
                        && "Running".equals(pod.getStatus().getPhase()))
                .map(pod -> CompletableFuture.supplyAsync(() -> reported(namespace, pod.getMetadata().getName(), client), VIRTUAL))
                .toList();
        CompletableFuture.allOf(reports.toArray(CompletableFuture[]::new)).completeOnTimeout(null, WAIT.toMillis(), TimeUnit.MILLISECONDS).join();
        int current = (int) reports.stream().filter(report -> liveHash.equals(report.getNow(""))).count();
        return new Count(current, reports.size());
    }

    /** The digest an agent pod reports, or empty when it does not answer (starting, or not yet serving HTTP). */
    private static String reported(String namespace, String pod, KubernetesClient client) {
        try {
            String health = client.raw("/api/v1/namespaces/" + namespace + "/pods/" + pod + ":" + AgentNames.METRICS_PORT + "/proxy/health");
            Matcher config = health == null ? null : CONFIG.matcher(health);
            return config != null && config.find() ? config.group(1) : "";
        } catch (KubernetesClientException e) {
            return "";
        }
    }
}
