package org.vspam.operator.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionRequest;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionResponse;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionResponseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.fabric8.zjsonpatch.JsonDiff;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vspam.operator.customresource.VspamAgent;
import org.vspam.operator.plan.AgentPlan;
import org.vspam.operator.plan.AgentPlanner;
import org.vspam.operator.sidecar.PodOwner;
import org.vspam.operator.sidecar.PostfixSidecar;
import org.vspam.operator.sidecar.SidecarInjector;
import org.vspam.operator.sidecar.Workload;

/**
 * Decides what a pod being created gets: the sidecar of the VspamAgent whose {@code injection: webhook}
 * selects the pod's workload, as a JSON patch, or nothing. It reads what it needs from the API server
 * (the workload, the namespace's VspamAgents, their Secrets by name) rather than from the
 * reconciler's memory, so every replica answers alike, leader or not, and right after a start.
 * It never refuses a pod: a pod it cannot decide on is let through unchanged and the reconciler
 * reports it.
 */
public final class PodAdmission {
    private static final Logger LOG = LoggerFactory.getLogger(PodAdmission.class);
    private final KubernetesClient client;
    private final KubernetesSerialization json;
    private final AgentPlanner planner;

    public PodAdmission(KubernetesClient client, AgentPlanner planner) {
        this.client = client;
        this.json = client.getKubernetesSerialization();
        this.planner = planner;
    }

    /** @throws IllegalArgumentException when a pod's review carries an object that is not a pod */
    public AdmissionResponse admit(AdmissionRequest request) {
        AdmissionResponseBuilder response = new AdmissionResponseBuilder().withUid(request.getUid()).withAllowed(true);
        if (!"CREATE".equals(request.getOperation()) || request.getKind() == null || !"Pod".equals(request.getKind().getKind())
                || request.getObject() == null) {
            return response.build();
        }
        Pod pod = json.convertValue(request.getObject(), Pod.class);
        String namespace = request.getNamespace();
        try {
            Optional<JsonNode> patch = patch(pod, namespace);
            patch.ifPresent(p -> response.withPatchType("JSONPatch")
                    .withPatch(Base64.getEncoder().encodeToString(p.toString().getBytes(StandardCharsets.UTF_8))));
        } catch (KubernetesClientException e) {
            LOG.warn("pod {} in {} is created without the vspam-agent sidecar: the API server could not be asked ({})", describe(pod),
                    namespace, e.getMessage());
        }
        return response.build();
    }

    private Optional<JsonNode> patch(Pod pod, String namespace) {
        if (PostfixSidecar.present(pod)) {
            return Optional.empty(); // patched into its template, or injected before: as it is
        }
        Optional<Workload> workload = PodOwner.workload(client, namespace, pod);
        if (workload.isEmpty()) {
            return Optional.empty();
        }
        List<VspamAgent> agents = client.resources(VspamAgent.class).inNamespace(namespace).list().getItems();
        Optional<VspamAgent> agent = SidecarInjector.webhookAgent(agents, workload.get());
        if (agent.isEmpty()) {
            return Optional.empty();
        }
        AgentPlan plan = planner.plan(agent.get(), name -> Optional.ofNullable(client.secrets().inNamespace(namespace).withName(name).get()));
        if (!plan.deployable()) {
            String problem = plan.configProblem().or(plan::secretProblem).map(AgentPlan.Problem::message).orElse("");
            LOG.warn("pod {} of {} in {} is created without the vspam-agent sidecar: {}", describe(pod), workload.get().reference(),
                    namespace, problem);
            return Optional.empty();
        }
        return Optional.of(patch(pod, agent.get(), plan));
    }

    /** The JSON patch that turns the pod into the pod with the sidecar, exactly as patch injection shapes a template. */
    private JsonNode patch(Pod pod, VspamAgent agent, AgentPlan plan) {
        Pod injected = PostfixSidecar.inject(pod, agent, plan, SidecarInjector.containers(agent));
        return JsonDiff.asJson(json.convertValue(pod, JsonNode.class), json.convertValue(injected, JsonNode.class));
    }

    private static String describe(Pod pod) {
        return pod.getMetadata().getName() != null ? pod.getMetadata().getName() : pod.getMetadata().getGenerateName() + "*";
    }
}
