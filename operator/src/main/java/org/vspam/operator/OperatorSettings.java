package org.vspam.operator;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;
import io.micronaut.core.annotation.Nullable;
import java.time.Duration;
import java.util.List;

/**
 * The operator's settings, {@code vspam.operator.*} in application.yml or {@code VSPAM_OPERATOR_*}
 * in the environment (the chart sets them).
 *
 * @param namespaces     namespaces to watch; empty = every namespace (needs cluster-wide RBAC)
 * @param agentImage     the agent image a VspamAgent gets when its spec names none
 * @param leaderElection take a Lease before reconciling, so that several replicas are safe
 * @param leaseNamespace where the Lease lives; the operator's own namespace in a pod
 * @param secretRecheck  how often a VspamAgent's Secrets are read again, so that a rotated key rolls its pods:
 *                       the operator reads only the Secrets it is told about, by name, and watches none
 * @param reconcileThreads VspamAgents reconciled at once (and dependents per reconcile): the work is waiting for
 *                       the API server, and each thread costs resident memory; 10 reconcile 1,000 in about half a
 *                       minute here (docs/benchmarks.md)
 */
@ConfigurationProperties("vspam.operator")
public record OperatorSettings(
        @Bindable(defaultValue = "") List<String> namespaces,
        // the agent image built with this operator: the chart's appVersion (the images module's ImageNamesIT checks)
        @Bindable(defaultValue = "ghcr.io/vspam-org/vspam-agent:0.3.0") String agentImage,
        @Bindable(defaultValue = "true") boolean leaderElection,
        @Nullable String leaseNamespace,
        @Bindable(defaultValue = "2m") Duration secretRecheck,
        @Bindable(defaultValue = "10") int reconcileThreads) {

    public OperatorSettings {
        namespaces = namespaces == null ? List.of() : namespaces.stream().map(String::strip).filter(ns -> !ns.isEmpty()).toList();
    }
}
