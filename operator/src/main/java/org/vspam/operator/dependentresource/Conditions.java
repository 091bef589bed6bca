package org.vspam.operator.dependentresource;

import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.processing.dependent.workflow.Condition;
import org.vspam.operator.customresource.NetworkPolicySpec;
import org.vspam.operator.customresource.VspamAgent;

/** When the optional dependents exist; a dependent whose condition is not met is deleted. */
public final class Conditions {
    private Conditions() {
    }

    /** The shared Deployment runs unless {@code spec.deployment.enabled} is false. */
    public static boolean deploymentEnabled(VspamAgent agent) {
        return agent.getSpec().deployment == null || !Boolean.FALSE.equals(agent.getSpec().deployment.enabled);
    }

    /** A ServiceMonitor is asked for, and there is a Service for it to scrape. */
    public static boolean serviceMonitorWanted(VspamAgent agent) {
        return deploymentEnabled(agent) && prometheusOperatorScraping(agent);
    }

    /** Prometheus Operator scraping is asked for, and there are sidecars for a PodMonitor to scrape. */
    public static boolean podMonitorWanted(VspamAgent agent) {
        return prometheusOperatorScraping(agent) && agent.getSpec().sidecars != null && agent.getSpec().sidecars.selector != null;
    }

    /** {@code spec.metrics.serviceMonitor}: the one switch for both monitors. */
    private static boolean prometheusOperatorScraping(VspamAgent agent) {
        return agent.getSpec().metrics != null && Boolean.TRUE.equals(agent.getSpec().metrics.serviceMonitor);
    }

    /** The shared Deployment and its Service, unless {@code spec.deployment.enabled} is false. */
    public static final class DeploymentEnabled implements Condition<Object, VspamAgent> {
        @Override
        public boolean isMet(DependentResource<Object, VspamAgent> dependent, VspamAgent agent, Context<VspamAgent> context) {
            return deploymentEnabled(agent);
        }
    }

    /** {@code spec.networkPolicy.enabled} asks for it, and there are shared agents for it to protect. */
    public static final class NetworkPolicyWanted implements Condition<Object, VspamAgent> {
        @Override
        public boolean isMet(DependentResource<Object, VspamAgent> dependent, VspamAgent agent, Context<VspamAgent> context) {
            return deploymentEnabled(agent) && NetworkPolicySpec.enabled(agent.getSpec());
        }
    }

    /** A disruption budget only protects something when there is more than one agent. */
    public static final class SeveralReplicas implements Condition<Object, VspamAgent> {
        @Override
        public boolean isMet(DependentResource<Object, VspamAgent> dependent, VspamAgent agent, Context<VspamAgent> context) {
            Integer replicas = agent.getSpec().deployment == null ? null : agent.getSpec().deployment.replicas;
            return deploymentEnabled(agent) && (replicas == null || replicas > 1);
        }
    }

    /** {@code spec.metrics.serviceMonitor} asks for it (and there is a Service to scrape). */
    public static final class ServiceMonitorWanted implements Condition<Object, VspamAgent> {
        @Override
        public boolean isMet(DependentResource<Object, VspamAgent> dependent, VspamAgent agent, Context<VspamAgent> context) {
            return serviceMonitorWanted(agent);
        }
    }

    /** {@code spec.metrics.serviceMonitor} asks for Prometheus Operator scraping, and sidecars are injected. */
    public static final class PodMonitorWanted implements Condition<Object, VspamAgent> {
        @Override
        public boolean isMet(DependentResource<Object, VspamAgent> dependent, VspamAgent agent, Context<VspamAgent> context) {
            return podMonitorWanted(agent);
        }
    }
}
