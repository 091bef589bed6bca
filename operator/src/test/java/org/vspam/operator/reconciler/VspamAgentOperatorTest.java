package org.vspam.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.openshift.api.model.monitoring.v1.PodMonitor;
import io.fabric8.openshift.api.model.monitoring.v1.ServiceMonitor;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import io.javaoperatorsdk.operator.processing.dependent.workflow.CRDPresentActivationCondition;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.vspam.operator.AgentOperator;
import org.vspam.operator.Leadership;
import org.vspam.operator.OperatorSettings;
import org.vspam.operator.customresource.SidecarInjection;
import org.vspam.operator.customresource.VspamAgent;
import org.vspam.operator.plan.AgentNames;
import org.vspam.operator.sidecar.PostfixSidecar;
import org.vspam.operator.sidecar.Workload;
import org.vspam.operator.testing.Fixtures;

/**
 * The operator against Fabric8's mock API server (CRUD mode): what appears for a VspamAgent, how its
 * status follows the Deployment, Secrets and Postfix workloads, and what goes when it goes. The mock
 * server has no controllers, so the test plays the Deployment controller (status) where needed, and
 * no garbage collector, so owned objects are checked by their owner references.
 */
@EnableKubernetesMockClient(crud = true)
@Timeout(120)
class VspamAgentOperatorTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    /** How often the operator reads a VspamAgent's Secrets again; short here, two minutes by default. */
    private static final Duration SECRET_RECHECK = Duration.ofSeconds(2);
    private static final AtomicInteger NAMESPACES = new AtomicInteger();

    static KubernetesClient client;
    static KubernetesMockServer server;
    private static Operator operator;

    private String namespace;

    private static final SimpleMeterRegistry METRICS = new SimpleMeterRegistry();

    @BeforeAll
    static void startOperator() {
        client.resource(client.getKubernetesSerialization().unmarshal(
                VspamAgentOperatorTest.class.getResourceAsStream("/META-INF/fabric8/vspamagents.vspam.org-v1.yml"),
                CustomResourceDefinition.class)).create();
        // as if the Prometheus Operator were installed
        client.resource(monitorCrd("ServiceMonitor")).create();
        client.resource(monitorCrd("PodMonitor")).create();
        CRDPresentActivationCondition.clearState();
        operator = AgentOperator.build(client, Metrics.NOOP, new ReconcilerMetrics(METRICS),
                new OperatorSettings(List.of(), Fixtures.IMAGE, false, null, SECRET_RECHECK, 10), Fixtures.DEFAULTS, new Leadership());
        operator.start();
    }

    @AfterAll
    static void stopOperator() {
        operator.stop();
    }

    @BeforeEach
    void freshNamespace() {
        namespace = "mail-" + NAMESPACES.incrementAndGet();
    }

    @Test
    void aVspamAgentBecomesConfigDeploymentServiceBudgetAndMonitorAndTurnsReadyWithItsPods() {
        createSecrets();
        VspamAgent agent = Fixtures.agent(namespace, "vspam");
        agent.getSpec().sidecars = null;
        agent.getSpec().metrics.serviceMonitor = true;
        VspamAgent created = create(agent);

        Deployment deployment = await().atMost(WAIT).until(() -> get(Deployment.class, "vspam"), d -> d != null);
        ConfigMap config = get(ConfigMap.class, "vspam-config");
        List<HasMetadata> owned = List.of(deployment, config, await().atMost(WAIT).until(() -> get(Service.class, "vspam"), s -> s != null),
                await().atMost(WAIT).until(() -> get(PodDisruptionBudget.class, "vspam"), b -> b != null),
                await().atMost(WAIT).until(() -> get(ServiceMonitor.class, "vspam"), m -> m != null));
        assertThat(owned).allSatisfy(object -> assertThat(object.getMetadata().getOwnerReferences()).singleElement().satisfies(owner -> {
            assertThat(owner.getKind()).isEqualTo("VspamAgent");
            assertThat(owner.getUid()).isEqualTo(created.getMetadata().getUid());
        }));
        assertThat(config.getData().get("agent.yml")).contains("api_url: https://api.vspam.org").doesNotContain(Fixtures.API_KEY);
        assertThat(deployment.getSpec().getTemplate().getSpec().getContainers().getFirst().getImage()).isEqualTo(Fixtures.IMAGE);

        Condition notReady = awaitReady("False");
        assertThat(notReady.getReason()).isEqualTo("ReplicasNotReady");
        assertThat(notReady.getMessage()).startsWith("0/2 agent pods of deployment \"vspam\" ready");

        reportReadyPods("vspam", 2);
        Condition ready = awaitReady("True");
        assertThat(ready.getMessage()).isEqualTo("2/2 agents ready");
        VspamAgent current = get(VspamAgent.class, "vspam");
        assertThat(current.getStatus().readyReplicas).isEqualTo(2);
        // None protected: protectedCount says 0. protectedWorkloads is left out, not [] (README, "Status").
        assertThat(current.getStatus().protectedCount).isZero();
        assertThat(current.getStatus().protectedWorkloads).isNull();
        assertThat(current.getStatus().conditions).extracting(Condition::getType)
                .containsExactly("Ready", "ConfigValid", "SecretsResolved", "DeploymentReady", "ConfigApplied", "MetricsScraped");
        assertThat(condition(current, "ConfigApplied").getReason()).as("the mock server runs no pods").isEqualTo("NoAgentRunning");
        assertThat(condition(current, "MetricsScraped").getStatus()).isEqualTo("True");
        assertThat(condition(current, "MetricsScraped").getMessage()).isEqualTo("ServiceMonitor \"vspam\" scrapes /metrics");

        // Something makes the operator look again; nothing changed, so the status is not written again.
        String version = current.getMetadata().getResourceVersion();
        client.configMaps().inNamespace(namespace).withName("vspam-config").edit(c -> {
            c.getMetadata().setAnnotations(Map.of("example.org/touched", "yes"));
            return c;
        });
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5))
                .until(() -> get(VspamAgent.class, "vspam").getMetadata().getResourceVersion(), version::equals);
    }

    @Test
    void aSpecChangeRewritesTheConfigAndRollsTheAgentPods() {
        createSecrets();
        VspamAgent agent = Fixtures.agent(namespace, "vspam");
        agent.getSpec().sidecars = null;
        create(agent);
        String hash = await().atMost(WAIT).until(() -> get(Deployment.class, "vspam"), d -> d != null)
                .getSpec().getTemplate().getMetadata().getAnnotations().get("vspam.org/config-hash");

        // As kubectl patch --type merge: no resourceVersion to race the operator's status writes.
        client.resources(VspamAgent.class).inNamespace(namespace).withName("vspam")
                .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"cacheTtl\":\"5m\"}}");

        await().atMost(WAIT).until(() -> get(ConfigMap.class, "vspam-config").getData().get("agent.yml"), yaml -> yaml.contains("cache_ttl: 5m"));
        await().atMost(WAIT).until(() -> get(Deployment.class, "vspam").getSpec().getTemplate().getMetadata().getAnnotations()
                .get("vspam.org/config-hash"), now -> !now.equals(hash));
    }

    /**
     * A change of live settings only (allow-lists, mode, texts) rewrites the ConfigMap, which the agents follow, and
     * leaves every pod template alone: no Postfix pod restarts. ConfigApplied counts the agents whose /health
     * (read through the pod proxy) names the new configuration. A restart-only setting still rolls the pods.
     */
    @Test
    void aLiveSettingChangesTheConfigMapOnlyAndConfigAppliedCountsTheAgentsThatFollowed() {
        createSecrets();
        client.resource(Fixtures.postfix(namespace, "postfix", Map.of("app", "postfix"))).create();
        VspamAgent agent = Fixtures.agent(namespace, "vspam");
        String before = Fixtures.plan(agent).liveHash();
        // Two running agent pods, a shared one and a sidecar, answering /health as the agent does.
        Map<String, AtomicReference<String>> reported = Map.of("vspam-agent-1", new AtomicReference<>(before),
                "postfix-1", new AtomicReference<>(before));
        client.resource(runningPod("vspam-agent-1", AgentNames.selector(agent))).create();
        client.resource(runningPod("postfix-1", Map.of("app", "postfix", AgentNames.SIDECAR_LABEL, "vspam"))).create();
        reported.forEach((pod, hash) -> server.expect().get().withPath("/api/v1/namespaces/" + namespace + "/pods/" + pod + ":10048/proxy/health")
                .andReply(200, request -> "{\"status\":\"ok\",\"config\":\"" + hash.get() + "\",\"sources\":{}}").always());
        create(agent);
        await().atMost(WAIT).until(() -> PostfixSidecar.present(get(Deployment.class, "postfix").getSpec().getTemplate()));
        await().atMost(WAIT).until(() -> condition(get(VspamAgent.class, "vspam"), "ConfigApplied"),
                c -> c != null && c.getStatus().equals("True") && c.getMessage().equals("2/2 agents run the current configuration"));
        String postfixVersion = get(Deployment.class, "postfix").getMetadata().getResourceVersion();
        String sharedVersion = get(Deployment.class, "vspam").getMetadata().getResourceVersion();

        client.resources(VspamAgent.class).inNamespace(namespace).withName("vspam").patch(PatchContext.of(PatchType.JSON_MERGE),
                "{\"spec\":{\"allowSenders\":[\"partner.example\"],\"mode\":\"monitor\",\"logLevel\":\"debug\"}}");
        await().atMost(WAIT).until(() -> get(ConfigMap.class, "vspam-config").getData().get("agent.yml"),
                yaml -> yaml.contains("partner.example") && yaml.contains("mode: monitor"));
        await().atMost(WAIT).until(() -> condition(get(VspamAgent.class, "vspam"), "ConfigApplied"),
                c -> c.getStatus().equals("False") && c.getMessage().startsWith("0/2 agents run the current configuration"));
        String after = Fixtures.plan(get(VspamAgent.class, "vspam")).liveHash();
        assertThat(after).isNotEqualTo(before);
        reported.get("postfix-1").set(after);
        await().atMost(WAIT).until(() -> condition(get(VspamAgent.class, "vspam"), "ConfigApplied").getMessage(),
                message -> message.startsWith("1/2 agents run the current configuration"));
        reported.get("vspam-agent-1").set(after);
        await().atMost(WAIT).until(() -> condition(get(VspamAgent.class, "vspam"), "ConfigApplied"),
                c -> c.getStatus().equals("True") && c.getMessage().equals("2/2 agents run the current configuration"));
        assertThat(get(Deployment.class, "postfix").getMetadata().getResourceVersion()).as("Postfix not rolled").isEqualTo(postfixVersion);
        assertThat(get(Deployment.class, "vspam").getMetadata().getResourceVersion()).as("agents not rolled").isEqualTo(sharedVersion);

        client.resources(VspamAgent.class).inNamespace(namespace).withName("vspam")
                .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"cacheTtl\":\"5m\"}}");
        await().atMost(WAIT).until(() -> !get(Deployment.class, "postfix").getMetadata().getResourceVersion().equals(postfixVersion)
                && !get(Deployment.class, "vspam").getMetadata().getResourceVersion().equals(sharedVersion));
    }

    /** An agent pod that does not answer its /health in time counts as not running the current configuration: the count does not wait for it. */
    @Test
    void anAgentThatDoesNotAnswerInTimeIsNotCountedAndNotWaitedFor() {
        VspamAgent agent = Fixtures.agent(namespace, "vspam");
        client.resource(runningPod("vspam-quick", AgentNames.selector(agent))).create();
        client.resource(runningPod("vspam-slow", AgentNames.selector(agent))).create();
        String health = "{\"status\":\"ok\",\"config\":\"0123456789abcdef\",\"sources\":{}}";
        String proxy = "/api/v1/namespaces/" + namespace + "/pods/%s:10048/proxy/health";
        server.expect().get().withPath(proxy.formatted("vspam-quick")).andReturn(200, health).always();
        server.expect().get().delay(AppliedConfig.WAIT.toSeconds() * 3, TimeUnit.SECONDS).withPath(proxy.formatted("vspam-slow"))
                .andReturn(200, health).always();
        assertThat(AppliedConfig.count(agent, "0123456789abcdef", client)).isEqualTo(new AppliedConfig.Count(1, 2));
    }

    private Pod runningPod(String name, Map<String, String> labels) {
        return new PodBuilder().withNewMetadata().withName(name).withNamespace(namespace).withLabels(labels).endMetadata()
                .withNewSpec().addNewContainer().withName("agent").withImage(Fixtures.IMAGE).endContainer().endSpec()
                .withNewStatus().withPhase("Running").endStatus().build();
    }

    @Test
    void aMissingSecretIsReadyFalseWithTheReasonAndNothingRunsUntilItExists() {
        VspamAgent agent = Fixtures.agent(namespace, "vspam");
        agent.getSpec().sidecars = null;
        create(agent);

        Condition ready = awaitReady("False");
        assertThat(ready.getReason()).isEqualTo("SecretNotFound");
        assertThat(ready.getMessage()).startsWith("secret \"vspam-key\" not found in namespace \"" + namespace + "\"");
        assertThat(get(Deployment.class, "vspam")).as("nothing rolled out without its secrets").isNull();

        createSecrets();
        await().atMost(WAIT).until(() -> get(Deployment.class, "vspam"), d -> d != null);
        await().atMost(WAIT).until(() -> condition(get(VspamAgent.class, "vspam"), "SecretsResolved"), c -> c != null && c.getStatus().equals("True"));
    }

    @Test
    void aValueTheAgentWouldRefuseIsReportedAndNotRolledOut() {
        createSecrets();
        VspamAgent agent = Fixtures.agent(namespace, "vspam");
        agent.getSpec().sidecars = null;
        agent.getSpec().decisionTimeout = "90s"; // a real API server's schema would allow it; the agent would not start with it
        create(agent);

        Condition ready = awaitReady("False");
        assertThat(ready.getReason()).isEqualTo("InvalidConfig");
        assertThat(ready.getMessage()).isEqualTo("decision_timeout: \"90s\" must not be longer than 1m (from VspamAgent " + namespace + "/vspam)");
        assertThat(get(ConfigMap.class, "vspam-config")).isNull();
    }

    @Test
    void postfixWorkloadsGetTheSidecarKeepItAndLoseItCleanly() {
        createSecrets();
        Deployment postfix = client.resource(Fixtures.postfix(namespace, "postfix", Map.of("app", "postfix"))).create();
        PodTemplateSpec untouched = postfix.getSpec().getTemplate();
        StatefulSet mx = client.resource(statefulSet("mx", Map.of("app", "postfix"))).create();
        client.resource(Fixtures.postfix(namespace, "web", Map.of("app", "web"))).create();
        VspamAgent agent = Fixtures.agent(namespace, "vspam");
        agent.getSpec().deployment.enabled = false;
        agent.getSpec().metrics.serviceMonitor = true;
        create(agent);

        await().atMost(WAIT).until(() -> PostfixSidecar.present(get(Deployment.class, "postfix").getSpec().getTemplate()));
        // Prometheus finds the sidecars through the PodMonitor, by the label on their pods
        assertThat(get(Deployment.class, "postfix").getSpec().getTemplate().getMetadata().getLabels())
                .containsEntry(AgentNames.SIDECAR_LABEL, "vspam");
        PodMonitor sidecars = await().atMost(WAIT).until(() -> get(PodMonitor.class, "vspam-sidecars"), m -> m != null);
        assertThat(sidecars.getSpec().getSelector().getMatchLabels()).containsEntry(AgentNames.SIDECAR_LABEL, "vspam");
        assertThat(get(ServiceMonitor.class, "vspam")).as("no shared Deployment, no Service to monitor").isNull();
        await().atMost(WAIT).until(() -> PostfixSidecar.present(get(StatefulSet.class, "mx").getSpec().getTemplate()));
        assertThat(get(Deployment.class, "postfix").getMetadata().getAnnotations()).containsEntry(Workload.CLAIM, "vspam");
        assertThat(PostfixSidecar.present(get(Deployment.class, "web").getSpec().getTemplate())).as("not selected").isFalse();
        assertThat(PostfixSidecar.remove(get(Deployment.class, "postfix").getSpec().getTemplate()))
                .as("nothing else in the user's template touched").isEqualTo(untouched);
        await().atMost(WAIT).until(() -> get(VspamAgent.class, "vspam").getStatus(), s -> s != null && Integer.valueOf(2).equals(s.protectedCount));
        VspamAgent status = get(VspamAgent.class, "vspam");
        assertThat(status.getStatus().protectedWorkloads).containsExactlyInAnyOrder("Deployment/postfix", "StatefulSet/mx");
        assertThat(condition(status, "Ready").getStatus()).isEqualTo("True");
        assertThat(get(Deployment.class, "vspam")).as("deployment disabled: sidecars only").isNull();
        Condition scraped = await().atMost(WAIT).until(() -> condition(get(VspamAgent.class, "vspam"), "MetricsScraped"),
                c -> c != null && c.getStatus().equals("True"));
        assertThat(scraped.getReason()).isEqualTo("PodMonitorCreated");
        assertThat(scraped.getMessage()).isEqualTo("PodMonitor \"vspam-sidecars\" scrapes /metrics");

        // Someone re-applies the StatefulSet without the sidecar: it comes back.
        client.apps().statefulSets().inNamespace(namespace).withName("mx").edit(s -> {
            s.getSpec().setTemplate(PostfixSidecar.remove(s.getSpec().getTemplate()));
            return s;
        });
        await().atMost(WAIT).until(() -> PostfixSidecar.present(get(StatefulSet.class, "mx").getSpec().getTemplate()));

        // The Deployment stops matching: the sidecar and the claim go, the template is the user's again.
        client.apps().deployments().inNamespace(namespace).withName("postfix").edit(d -> {
            d.getMetadata().setLabels(Map.of("app", "postfix-legacy"));
            return d;
        });
        await().atMost(WAIT).until(() -> !PostfixSidecar.present(get(Deployment.class, "postfix").getSpec().getTemplate()));
        assertThat(get(Deployment.class, "postfix").getSpec().getTemplate()).isEqualTo(untouched);
        assertThat(get(Deployment.class, "postfix").getMetadata().getAnnotations()).doesNotContainKey(Workload.CLAIM);

        // The VspamAgent is deleted: every sidecar it put in goes with it.
        client.resources(VspamAgent.class).inNamespace(namespace).withName("vspam").delete();
        await().atMost(WAIT).until(() -> !PostfixSidecar.present(get(StatefulSet.class, "mx").getSpec().getTemplate()));
        assertThat(get(StatefulSet.class, "mx").getSpec().getTemplate()).isEqualTo(mx.getSpec().getTemplate());
        await().atMost(WAIT).until(() -> get(VspamAgent.class, "vspam") == null);
    }

    @Test
    void aWorkloadAnotherVspamAgentProtectsIsReportedNotTakenOver() {
        createSecrets();
        client.resource(Fixtures.postfix(namespace, "postfix", Map.of("app", "postfix"))).create();
        VspamAgent first = Fixtures.agent(namespace, "first");
        first.getSpec().deployment.enabled = false;
        create(first);
        await().atMost(WAIT).until(() -> PostfixSidecar.present(get(Deployment.class, "postfix").getSpec().getTemplate()));

        VspamAgent second = Fixtures.agent(namespace, "second");
        second.getSpec().deployment.enabled = false;
        create(second);

        Condition ready = await().atMost(WAIT).until(() -> condition(get(VspamAgent.class, "second"), "Ready"),
                c -> c != null && c.getStatus().equals("False"));
        assertThat(ready.getReason()).isEqualTo("WorkloadClaimed");
        assertThat(ready.getMessage()).contains("Deployment/postfix (carries VspamAgent \"first\")");
        assertThat(get(Deployment.class, "postfix").getMetadata().getAnnotations()).containsEntry(Workload.CLAIM, "first");
    }

    @Test
    void withWebhookInjectionTheWorkloadIsNeverWrittenAndPodsWithoutTheSidecarAreReportedThenRestarted() {
        createSecrets();
        Deployment postfix = client.resource(Fixtures.postfix(namespace, "postfix", Map.of("app", "postfix"))).create();
        VspamAgent agent = Fixtures.agent(namespace, "vspam");
        agent.getSpec().deployment.enabled = false;
        agent.getSpec().sidecars.injection = SidecarInjection.WEBHOOK;
        create(agent);

        await().atMost(WAIT).until(() -> get(VspamAgent.class, "vspam").getStatus(), s -> s != null && Integer.valueOf(1).equals(s.protectedCount));
        VspamAgent status = get(VspamAgent.class, "vspam");
        assertThat(status.getStatus().protectedWorkloads).containsExactly("Deployment/postfix");
        assertThat(condition(status, "SidecarsInjected").getStatus()).isEqualTo("True");
        assertThat(condition(status, "Ready").getStatus()).isEqualTo("True");
        assertThat(get(Deployment.class, "postfix").getMetadata().getResourceVersion())
                .as("what Git holds is what the cluster holds: not a byte written").isEqualTo(postfix.getMetadata().getResourceVersion());

        // The operator was down when this pod was created: it started without the sidecar.
        client.resource(new PodBuilder().withNewMetadata().withName("postfix-6b8f9d7c5d-x2k4p").withNamespace(namespace)
                .withLabels(Map.of("workload", "postfix", "pod-template-hash", "6b8f9d7c5d")).endMetadata()
                .withSpec(postfix.getSpec().getTemplate().getSpec())
                .withNewStatus().withPhase("Running").addNewCondition().withType("Ready").withStatus("True").endCondition().endStatus()
                .build()).create();
        Condition missing = await().atMost(WAIT).until(() -> condition(get(VspamAgent.class, "vspam"), "SidecarsInjected"),
                c -> c != null && c.getStatus().equals("False"));
        assertThat(missing.getReason()).isEqualTo("PodsWithoutSidecar");
        assertThat(missing.getMessage()).contains("postfix-6b8f9d7c5d-x2k4p").contains("restartPodsWithoutSidecar");
        assertThat(get(VspamAgent.class, "vspam").getStatus().podsWithoutSidecar).containsExactly("postfix-6b8f9d7c5d-x2k4p");
        assertThat(podsWithoutSidecar("vspam")).as("vspam_operator_pods_without_sidecar").isEqualTo(1.0);
        assertThat(condition(get(VspamAgent.class, "vspam"), "Ready").getReason()).isEqualTo("PodsWithoutSidecar");
        assertThat(get(Pod.class, "postfix-6b8f9d7c5d-x2k4p")).as("not restarted unless asked").isNotNull();

        // Asked to: the pod is evicted, for its ReplicaSet to recreate it through the webhook. (The mock
        // server records the eviction but does not delete; the test does, as the API server would.)
        String eviction = "/api/v1/namespaces/" + namespace + "/pods/postfix-6b8f9d7c5d-x2k4p/eviction";
        client.resources(VspamAgent.class).inNamespace(namespace).withName("vspam")
                .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"sidecars\":{\"restartPodsWithoutSidecar\":true}}}");
        await().atMost(WAIT).until(() -> {
            for (RecordedRequest request = server.takeRequest(0, TimeUnit.SECONDS); request != null; request = server.takeRequest(0, TimeUnit.SECONDS)) {
                if (request.getMethod().equals("POST") && request.getPath().equals(eviction)) {
                    return true;
                }
            }
            return false;
        });
        client.pods().inNamespace(namespace).withName("postfix-6b8f9d7c5d-x2k4p").delete();
        await().atMost(WAIT).until(() -> condition(get(VspamAgent.class, "vspam"), "SidecarsInjected"), c -> c.getStatus().equals("True"));
        assertThat(get(VspamAgent.class, "vspam").getStatus().podsWithoutSidecar).isNull();
        assertThat(podsWithoutSidecar("vspam")).isZero();
        assertThat(get(Deployment.class, "postfix").getMetadata().getResourceVersion()).isEqualTo(postfix.getMetadata().getResourceVersion());

        client.resources(VspamAgent.class).inNamespace(namespace).withName("vspam").delete();
        await().atMost(WAIT).until(() -> METRICS.find(ReconcilerMetrics.METRIC).tag("vspamagent_namespace", namespace).gauge() == null);
    }

    private double podsWithoutSidecar(String name) {
        var gauge = METRICS.find(ReconcilerMetrics.METRIC).tag("vspamagent_namespace", namespace).tag("vspamagent", name).gauge();
        return gauge == null ? -1 : gauge.value();
    }

    @Test
    void switchingFromPatchToWebhookTakesThePatchedSidecarOutOfTheTemplate() {
        createSecrets();
        PodTemplateSpec untouched = client.resource(Fixtures.postfix(namespace, "postfix", Map.of("app", "postfix"))).create()
                .getSpec().getTemplate();
        VspamAgent agent = Fixtures.agent(namespace, "vspam");
        agent.getSpec().deployment.enabled = false;
        create(agent);
        await().atMost(WAIT).until(() -> PostfixSidecar.present(get(Deployment.class, "postfix").getSpec().getTemplate()));

        // As kubectl patch --type merge: no resourceVersion to race the operator's status writes.
        client.resources(VspamAgent.class).inNamespace(namespace).withName("vspam")
                .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"sidecars\":{\"injection\":\"webhook\"}}}");
        await().atMost(WAIT).until(() -> !PostfixSidecar.present(get(Deployment.class, "postfix").getSpec().getTemplate()));
        assertThat(get(Deployment.class, "postfix").getSpec().getTemplate()).isEqualTo(untouched);
        assertThat(get(Deployment.class, "postfix").getMetadata().getAnnotations()).doesNotContainKey(Workload.CLAIM);
        await().atMost(WAIT).until(() -> get(VspamAgent.class, "vspam").getStatus().protectedWorkloads, w -> w != null && w.contains("Deployment/postfix"));
    }

    @Test
    void aRotatedKeyRollsTheAgentPodsThoughNoSecretIsWatched() {
        createSecrets();
        VspamAgent agent = Fixtures.agent(namespace, "vspam");
        agent.getSpec().sidecars = null;
        create(agent);
        String before = await().atMost(WAIT).until(() -> podHash(), hash -> hash != null);

        Secret key = get(Secret.class, "vspam-key");
        key.setData(Map.of("api-key", Base64.getEncoder().encodeToString("vspam_rotated_key".getBytes(StandardCharsets.UTF_8))));
        client.resource(key).update();

        await().atMost(WAIT).until(this::podHash, hash -> hash != null && !hash.equals(before));
        assertThat(get(Deployment.class, "vspam").getSpec().getTemplate().toString()).doesNotContain("vspam_rotated_key");
    }

    @Test
    void unrelatedSecretsAreNeverListedWatchedOrRead() throws Exception {
        // A namespace full of Secrets the operator has no business with: Helm releases, TLS keys, ...
        String filler = "x".repeat(64 * 1024);
        for (int i = 0; i < 2_000; i++) {
            client.resource(new SecretBuilder().withNewMetadata().withName("unrelated-" + i).withNamespace(namespace).endMetadata()
                    .addToStringData("blob", filler).build()).create();
        }
        while (server.takeRequest(0, TimeUnit.SECONDS) != null) {
            // forget what came before: only the operator's requests from here on count
        }
        createSecrets();
        VspamAgent agent = Fixtures.agent(namespace, "vspam");
        agent.getSpec().sidecars = null;
        create(agent);
        await().atMost(WAIT).until(() -> get(Deployment.class, "vspam") != null);
        await().atMost(WAIT).until(() -> condition(get(VspamAgent.class, "vspam"), "SecretsResolved"), c -> c != null && c.getStatus().equals("True"));

        List<String> secretRequests = new ArrayList<>();
        RecordedRequest request;
        while ((request = server.takeRequest(0, TimeUnit.SECONDS)) != null) {
            if (request.getPath().contains("/secrets")) {
                secretRequests.add(request.getMethod() + " " + request.getPath());
            }
        }
        // This test's own requests are creates (POST); the operator's are GETs of named Secrets (this namespace's
        // and, at their recheck, the other tests' agents'), nothing else.
        assertThat(secretRequests).filteredOn(r -> r.startsWith("GET ")).isNotEmpty()
                .allSatisfy(r -> assertThat(r).matches("GET /api/v1/namespaces/mail-\\d+/secrets/vspam-(key|redis)"))
                .anySatisfy(r -> assertThat(r).startsWith("GET /api/v1/namespaces/" + namespace + "/"));
    }

    private String podHash() {
        Deployment deployment = get(Deployment.class, "vspam");
        return deployment == null ? null : deployment.getSpec().getTemplate().getMetadata().getAnnotations().get(AgentNames.CONFIG_HASH);
    }

    private void createSecrets() {
        client.resource(Fixtures.secret(namespace, "vspam-key", "api-key", Fixtures.API_KEY)).create();
        client.resource(Fixtures.secret(namespace, "vspam-redis", "url", "redis://:pw@redis.example.net:6379/0")).create();
    }

    private VspamAgent create(VspamAgent agent) {
        agent.getMetadata().setUid(null);
        agent.getMetadata().setGeneration(null);
        return client.resource(agent).create();
    }

    private <T extends HasMetadata> T get(Class<T> type, String name) {
        return client.resources(type).inNamespace(namespace).withName(name).get();
    }

    private Condition awaitReady(String status) {
        return await().atMost(WAIT).until(() -> condition(get(VspamAgent.class, "vspam"), "Ready"), c -> c != null && c.getStatus().equals(status));
    }

    private static Condition condition(VspamAgent agent, String type) {
        return Optional.ofNullable(agent).map(VspamAgent::getStatus).map(s -> s.conditions).orElse(List.of()).stream()
                .filter(c -> c.getType().equals(type)).findFirst().orElse(null);
    }

    /** What the Deployment controller would do once the pods pass their readiness probe. */
    private void reportReadyPods(String name, int ready) {
        Deployment deployment = get(Deployment.class, name);
        deployment.setStatus(new DeploymentStatusBuilder().withReplicas(ready).withReadyReplicas(ready).withAvailableReplicas(ready).build());
        client.resource(deployment).updateStatus();
    }

    private StatefulSet statefulSet(String name, Map<String, String> labels) {
        Deployment shape = Fixtures.postfix(namespace, name, labels);
        return new StatefulSetBuilder().withMetadata(shape.getMetadata())
                .withNewSpec().withServiceName(name).withSelector(shape.getSpec().getSelector()).withTemplate(shape.getSpec().getTemplate()).endSpec()
                .build();
    }

    /** The Prometheus Operator's CRD of {@code kind} (ServiceMonitor, PodMonitor). */
    private static CustomResourceDefinition monitorCrd(String kind) {
        String singular = kind.toLowerCase(Locale.ROOT);
        return new CustomResourceDefinitionBuilder()
                .withNewMetadata().withName(singular + "s.monitoring.coreos.com").endMetadata()
                .withNewSpec().withGroup("monitoring.coreos.com").withScope("Namespaced")
                .withNewNames().withKind(kind).withPlural(singular + "s").withSingular(singular).endNames()
                .addNewVersion().withName("v1").withServed(true).withStorage(true).endVersion()
                .endSpec().build();
    }
}
