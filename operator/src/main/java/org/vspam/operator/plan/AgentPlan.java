package org.vspam.operator.plan;

import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import java.util.List;
import java.util.Optional;
import org.vspam.operator.customresource.CaRef;
import org.vspam.operator.customresource.VspamAgent;

/**
 * Everything derived from one {@link VspamAgent} in one reconciliation, computed once and read by
 * every dependent: the agent.yml text, the secrets' environment, the digest that rolls pods, and
 * what stops a rollout (an invalid configuration, a missing Secret).
 *
 * @param agentYaml     the ConfigMap's agent.yml; never holds a secret
 * @param secretEnv     VSPAM_API_KEY and VSPAM_REDIS_URL, from Secrets or (a Redis URL without password) inline
 * @param configHash    digest of what a running agent cannot change without a restart: agentYaml's restart-only
 *                      settings, the secret values and the image; on the pod template, so a change rolls the pods
 * @param liveHash      digest of agentYaml's live settings, as the agent reports it ({@code AgentConfig.liveHash}):
 *                      a change of them only updates the ConfigMap, which the agents follow
 * @param configProblem the agent's own one-line error for the rendered configuration, if any
 * @param secretProblem what is wrong with a referenced Secret, if anything
 * @param redisCa       where the authorities for a rediss:// server come from, mounted into the agent
 * @param milter        the agent also listens as a milter ({@code spec.milter.enabled})
 * @param exposeCheckApi a sidecar serves /check on the pod's address, not only on loopback ({@code spec.sidecars.exposeCheckApi})
 */
public record AgentPlan(
        String agentYaml,
        List<EnvVar> secretEnv,
        String configHash,
        String liveHash,
        String image,
        boolean milter,
        boolean exposeCheckApi,
        ResourceRequirements deploymentResources,
        ResourceRequirements sidecarResources,
        Optional<Problem> configProblem,
        Optional<Problem> secretProblem,
        Optional<CaRef> redisCa) {

    /** The key the plan is kept under in the reconciliation's context. */
    public static final String KEY = AgentPlan.class.getName();

    public AgentPlan {
        secretEnv = List.copyOf(secretEnv);
    }

    /** Nothing is rolled out while the configuration is invalid or a Secret is missing: what runs keeps running. */
    public boolean deployable() {
        return configProblem.isEmpty() && secretProblem.isEmpty();
    }

    /** A condition reason (CamelCase) and a message that says what to do. */
    public record Problem(String reason, String message) {
    }
}
