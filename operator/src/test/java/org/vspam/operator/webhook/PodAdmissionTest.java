package org.vspam.operator.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionRequest;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionResponse;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionReview;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.fabric8.zjsonpatch.JsonPatch;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.vspam.operator.customresource.SidecarInjection;
import org.vspam.operator.customresource.VspamAgent;
import org.vspam.operator.plan.AgentContainer;
import org.vspam.operator.plan.AgentPlanner;
import org.vspam.operator.sidecar.PostfixSidecar;
import org.vspam.operator.sidecar.SidecarInjector;
import org.vspam.operator.testing.Fixtures;

/**
 * The webhook's decision for pods as the API server sends them (AdmissionReviews of pods made by a
 * Deployment's ReplicaSet and by a StatefulSet, with the defaults and the service-account volume the
 * API server has already added), against Fabric8's mock API server holding the workloads.
 */
@EnableKubernetesMockClient(crud = true)
class PodAdmissionTest {
    private static final KubernetesSerialization JSON = new KubernetesSerialization();
    static KubernetesClient client;

    private PodAdmission admission;
    private VspamAgent agent;

    @BeforeAll
    static void crd() {
        client.resource(client.getKubernetesSerialization().unmarshal(
                PodAdmissionTest.class.getResourceAsStream("/META-INF/fabric8/vspamagents.vspam.org-v1.yml"),
                CustomResourceDefinition.class)).createOr(existing -> existing.update());
    }

    @BeforeEach
    void cluster() {
        client.resources(VspamAgent.class).inNamespace("mail").delete();
        client.apps().deployments().inNamespace("mail").delete();
        client.apps().statefulSets().inNamespace("mail").delete();
        client.secrets().inNamespace("mail").delete();
        client.resource(Fixtures.secret("mail", "vspam-key", "api-key", Fixtures.API_KEY)).create();
        client.resource(Fixtures.secret("mail", "vspam-redis", "url", "redis://:pw@redis.example.net:6379/0")).create();
        client.resource(Fixtures.postfix("mail", "postfix", Map.of("app", "postfix"))).create();
        Deployment shape = Fixtures.postfix("mail", "mx", Map.of("app", "postfix"));
        client.resource(new StatefulSetBuilder().withMetadata(shape.getMetadata())
                .withNewSpec().withServiceName("mx").withSelector(shape.getSpec().getSelector()).withTemplate(shape.getSpec().getTemplate())
                .endSpec().build()).create();
        agent = Fixtures.agent("mail", "vspam");
        agent.getSpec().sidecars.injection = SidecarInjection.WEBHOOK;
        agent.getMetadata().setUid(null);
        agent.getMetadata().setGeneration(null);
        agent = client.resource(agent).create();
        admission = new PodAdmission(client, new AgentPlanner(Fixtures.DEFAULTS));
    }

    @Test
    void aDeploymentsPodGetsExactlyTheSidecarPatchInjectionGivesItsTemplate() throws IOException {
        AdmissionRequest request = review("deployment-pod.json").getRequest();
        AdmissionResponse response = admission.admit(request);

        assertThat(response.getUid()).isEqualTo(request.getUid());
        assertThat(response.getAllowed()).isTrue();
        assertThat(response.getPatchType()).isEqualTo("JSONPatch");
        Pod before = pod(request);
        Pod after = applied(before, response);

        PodTemplateSpec template = client.apps().deployments().inNamespace("mail").withName("postfix").get().getSpec().getTemplate();
        PodTemplateSpec patched = PostfixSidecar.inject(template, agent, Fixtures.plan(agent), List.of());
        assertThat(after.getSpec().getInitContainers().getLast()).isEqualTo(patched.getSpec().getInitContainers().getLast());
        assertThat(after.getSpec().getInitContainers().getLast().getName()).isEqualTo(AgentContainer.NAME);
        assertThat(added(before.getSpec().getVolumes(), after.getSpec().getVolumes()))
                .isEqualTo(added(template.getSpec().getVolumes(), patched.getSpec().getVolumes()));
        assertThat(after.getSpec().getContainers()).allSatisfy(container -> assertThat(container.getVolumeMounts())
                .anySatisfy(mount -> assertThat(mount.getMountPath()).isEqualTo(AgentContainer.SOCKET_DIR)));
        assertThat(after.getMetadata().getAnnotations()).containsEntry("example.org/owner", "mail-team")
                .containsEntry(PostfixSidecar.SIDECAR_HASH, patched.getMetadata().getAnnotations().get(PostfixSidecar.SIDECAR_HASH));
        // Nothing else of the pod changes: without what was added, it is the pod that came in.
        assertThat(PostfixSidecar.remove(new PodTemplateSpec(after.getMetadata(), after.getSpec())).getSpec()).isEqualTo(before.getSpec());
        assertThat(PostfixSidecar.present(after)).isTrue();
        assertThat(JSON.asJson(after)).doesNotContain(Fixtures.API_KEY);
    }

    @Test
    void aStatefulSetsPodGetsTheSidecarToo() throws IOException {
        AdmissionRequest request = review("statefulset-pod.json").getRequest();
        Pod after = applied(pod(request), admission.admit(request));

        assertThat(PostfixSidecar.present(after)).isTrue();
        assertThat(after.getSpec().getInitContainers()).extracting(Container::getName).containsExactly("render-config", AgentContainer.NAME);
        assertThat(after.getSpec().getHostname()).isEqualTo("mx-0");
    }

    @Test
    void aPodOfAWorkloadNoWebhookAgentSelectsIsLetThroughUnchanged() throws IOException {
        client.apps().deployments().inNamespace("mail").withName("postfix").edit(d -> {
            d.getMetadata().setLabels(Map.of("app", "web"));
            return d;
        });
        assertUnchanged(admission.admit(review("deployment-pod.json").getRequest()));

        // Selected, but by an agent that patches templates: the pod has its sidecar from the template already.
        client.apps().deployments().inNamespace("mail").withName("postfix").edit(d -> {
            d.getMetadata().setLabels(Map.of("app", "postfix"));
            return d;
        });
        client.resources(VspamAgent.class).inNamespace("mail").withName("vspam").edit(a -> {
            a.getSpec().sidecars.injection = SidecarInjection.PATCH;
            return a;
        });
        assertUnchanged(admission.admit(review("deployment-pod.json").getRequest()));
    }

    @Test
    void aPodThatAlreadyHasTheSidecarIsLeftAsItIs() throws IOException {
        AdmissionRequest request = review("deployment-pod.json").getRequest();
        Pod injected = applied(pod(request), admission.admit(request));
        request.setObject(injected);

        assertUnchanged(admission.admit(request));
    }

    @Test
    void withoutItsSecretTheAgentsSidecarIsNotInjectedAndThePodStillStarts() throws IOException {
        client.secrets().inNamespace("mail").withName("vspam-key").delete();
        assertUnchanged(admission.admit(review("deployment-pod.json").getRequest()));
    }

    @Test
    void anythingButAPodCreationIsAllowedUntouched() throws IOException {
        AdmissionRequest request = review("deployment-pod.json").getRequest();
        request.setOperation("UPDATE");
        assertUnchanged(admission.admit(request));
    }

    @Test
    void ofTwoWebhookAgentsSelectingAWorkloadTheOlderOneInjects() {
        VspamAgent older = Fixtures.agent("mail", "b-older");
        older.getMetadata().setCreationTimestamp("2026-01-01T00:00:00Z");
        VspamAgent newer = Fixtures.agent("mail", "a-newer");
        newer.getMetadata().setCreationTimestamp("2026-06-01T00:00:00Z");
        for (VspamAgent each : List.of(older, newer)) {
            each.getSpec().sidecars.injection = SidecarInjection.WEBHOOK;
        }
        var workload = new org.vspam.operator.sidecar.Workload.OfDeployment(Fixtures.postfix("mail", "postfix", Map.of("app", "postfix")));
        assertThat(SidecarInjector.webhookAgent(List.of(newer, older), workload)).contains(older);
        assertThat(SidecarInjector.webhookAgent(List.of(older, newer), workload)).contains(older);
    }

    private static void assertUnchanged(AdmissionResponse response) {
        assertThat(response.getAllowed()).isTrue();
        assertThat(response.getPatch()).isNull();
        assertThat(response.getPatchType()).isNull();
    }

    private static List<Volume> added(List<Volume> before, List<Volume> after) {
        return after.stream().filter(volume -> !before.contains(volume)).toList();
    }

    static AdmissionReview review(String name) throws IOException {
        try (InputStream in = PodAdmissionTest.class.getResourceAsStream("/admission/" + name)) {
            return JSON.unmarshal(new String(in.readAllBytes(), StandardCharsets.UTF_8), AdmissionReview.class);
        }
    }

    private static Pod pod(AdmissionRequest request) {
        return JSON.convertValue(request.getObject(), Pod.class);
    }

    /** The patch applied as the API server applies it: to the pod's JSON. */
    static Pod applied(Pod pod, AdmissionResponse response) {
        assertThat(response.getPatch()).as("a patch").isNotNull();
        JsonNode patch = JSON.unmarshal(new String(Base64.getDecoder().decode(response.getPatch()), StandardCharsets.UTF_8), JsonNode.class);
        JsonNode result = JsonPatch.apply(patch, JSON.convertValue(pod, JsonNode.class), java.util.EnumSet.noneOf(io.fabric8.zjsonpatch.CompatibilityFlags.class));
        return JSON.convertValue(result, Pod.class);
    }
}
