package org.vspam.operator.reconciler;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.vspam.operator.customresource.VspamAgent;

/**
 * What the alert rules watch in the operator, beside the SDK's own reconcile metrics:
 * {@code vspam_operator_reconcile_errors_total}, failed reconciles (exported from the start, at 0,
 * unlike the SDK's counter, which appears with the first failure), and per VspamAgent the running
 * pods of its Postfix workloads that lack the current sidecar, {@code vspam_operator_pods_without_sidecar}:
 * mail those pods take is not checked. Its labels name the resource ({@code vspamagent_namespace},
 * {@code vspamagent}): Prometheus gives {@code namespace} to the scraped operator's own.
 */
public final class ReconcilerMetrics {
    static final String METRIC = "vspam.operator.pods.without.sidecar";

    private final MeterRegistry registry;
    private final Counter errors;
    /** Per VspamAgent ("namespace/name"): its count and the gauge that reads it. */
    private final Map<String, Coverage> coverage = new ConcurrentHashMap<>();

    private record Coverage(AtomicInteger count, Gauge gauge) {
    }

    public ReconcilerMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.errors = Counter.builder("vspam.operator.reconcile.errors")
                .description("reconciles of VspamAgents that failed (the resource's Ready condition says why)").register(registry);
    }

    void failed() {
        errors.increment();
    }

    void record(VspamAgent agent, int podsWithoutSidecar) {
        coverage.computeIfAbsent(key(agent), k -> {
            AtomicInteger count = new AtomicInteger();
            return new Coverage(count, Gauge.builder(METRIC, count, AtomicInteger::get)
                    .description("running pods of the VspamAgent's Postfix workloads without its current sidecar")
                    .tag("vspamagent_namespace", agent.getMetadata().getNamespace())
                    .tag("vspamagent", agent.getMetadata().getName())
                    .register(registry));
        }).count().set(podsWithoutSidecar);
    }

    void forget(VspamAgent agent) {
        Coverage forgotten = coverage.remove(key(agent));
        if (forgotten != null) {
            registry.remove(forgotten.gauge());
        }
    }

    private static String key(VspamAgent agent) {
        return agent.getMetadata().getNamespace() + "/" + agent.getMetadata().getName();
    }
}
