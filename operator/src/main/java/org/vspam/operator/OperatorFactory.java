package org.vspam.operator;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.monitoring.micrometer.MicrometerMetrics;
import org.vspam.operator.reconciler.ReconcilerMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Factory;
import jakarta.inject.Singleton;
import org.vspam.operator.plan.AgentPlanner;
import org.vspam.operator.plan.OperatorDefaults;
import org.vspam.operator.webhook.PodAdmission;

/** The Kubernetes client and the operator, with their lifecycles. */
@Factory
final class OperatorFactory {

    /** In a pod: the service account; elsewhere: ~/.kube/config, as kubectl. */
    @Singleton
    @Bean(preDestroy = "close")
    KubernetesClient kubernetesClient() {
        return new KubernetesClientBuilder().build();
    }

    @Singleton
    Leadership leadership() {
        return new Leadership();
    }

    /** Stopped by {@link OperatorLifecycle}, which then releases the Lease. */
    @Singleton
    Operator operator(KubernetesClient client, MeterRegistry registry, OperatorSettings settings, Leadership leadership) {
        return AgentOperator.build(client, MicrometerMetrics.newMicrometerMetricsBuilder(registry).notCollectingMetricsPerResource().build(),
                new ReconcilerMetrics(registry), settings, defaults(settings), leadership);
    }

    /** The webhook plans a pod's sidecar as the reconciler plans a template's. */
    @Singleton
    PodAdmission podAdmission(KubernetesClient client, OperatorSettings settings) {
        return new PodAdmission(client, new AgentPlanner(defaults(settings)));
    }

    /** Agent sizes measured under load (docs/benchmarks.md). */
    static OperatorDefaults defaults(OperatorSettings settings) {
        return new OperatorDefaults(settings.agentImage(),
                OperatorDefaults.resources("100m", "192Mi", "256Mi"),
                OperatorDefaults.resources("50m", "160Mi", "256Mi"));
    }
}
