package org.vspam.operator.dependentresource;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeerBuilder;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.openshift.api.model.monitoring.v1.PodMonitor;
import io.fabric8.openshift.api.model.monitoring.v1.RelabelConfig;
import io.fabric8.openshift.api.model.monitoring.v1.ServiceMonitor;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.Test;
import org.vspam.config.AgentConfig;
import org.vspam.config.AgentConfigLoader;
import org.vspam.operator.customresource.CaRef;
import org.vspam.operator.customresource.LogFormat;
import org.vspam.operator.customresource.NetworkPolicySpec;
import org.vspam.operator.customresource.VspamAgent;
import org.vspam.operator.plan.AgentNames;
import org.vspam.operator.plan.AgentPlan;
import org.vspam.operator.testing.Fixtures;

/** What each dependent's desired() renders, without any API server. */
class DependentResourcesTest {
    private final VspamAgent agent = Fixtures.agent("mail", "vspam");

    @Test
    void theConfigMapIsWhatTheAgentsOwnLoaderReads() throws Exception {
        agent.getSpec().cacheTtl = "1h30m";
        agent.getSpec().dnsbl.resolvers = List.of("192.0.2.53", "[2001:db8::53]:5353");
        agent.getSpec().rejectMessage = "554 5.7.1 Rejected: listed by vspam.org";
        agent.getSpec().logFormat = LogFormat.JSON;
        agent.getSpec().reporting.queueSize = 50;

        ConfigMap configMap = AgentConfigMapDependent.render(agent, Fixtures.plan(agent));
        String yaml = configMap.getData().get("agent.yml");
        AgentConfig config = AgentConfigLoader.parse(yaml, "ConfigMap vspam-config", Map.of());

        assertThat(configMap.getMetadata().getName()).isEqualTo("vspam-config");
        assertThat(config.cacheTtl()).isEqualTo(Duration.ofMinutes(90));
        assertThat(config.dnsblResolvers()).hasSize(2);
        assertThat(config.rejectMessage()).isEqualTo("554 5.7.1 Rejected: listed by vspam.org");
        assertThat(config.logFormat()).isEqualTo(org.vspam.config.LogFormat.JSON);
        assertThat(config.queueSize()).isEqualTo(50);
        assertThat(config.redisKeyPrefix()).isEqualTo("vspam");
        assertThat(config.cachePath()).hasValueSatisfying(path -> assertThat(path).hasToString("/var/lib/vspam/cache.db"));
        assertThat(yaml).as("no secret in a ConfigMap").doesNotContain(Fixtures.API_KEY).doesNotContain("api_key").doesNotContain("redis_url");
    }

    /** spec.milter: the shared Deployment listens on TCP 10047 behind its Service, and agent.yml carries the milter's limits. */
    @Test
    void theMilterListensInTheDeploymentBehindTheService() throws Exception {
        Deployment without = AgentDeploymentDependent.render(agent, Fixtures.plan(agent));
        assertThat(without.getSpec().getTemplate().getSpec().getContainers().getFirst().getEnv())
                .noneSatisfy(env -> assertThat(env.getName()).isEqualTo("VSPAM_MILTER_LISTEN"));
        assertThat(AgentServiceDependent.render(agent).getSpec().getPorts()).extracting(port -> port.getName()).containsExactly("policy", "http", "metrics");

        agent.getSpec().milter.enabled = true;
        agent.getSpec().milter.maxUrls = 50;
        agent.getSpec().milter.maxBody = "2MiB";
        AgentPlan plan = Fixtures.plan(agent);
        assertThat(plan.configProblem()).isEmpty();
        Container container = AgentDeploymentDependent.render(agent, plan).getSpec().getTemplate().getSpec().getContainers().getFirst();
        assertThat(env(container, "VSPAM_MILTER_LISTEN").getValue()).isEqualTo("tcp://0.0.0.0:10047");
        assertThat(container.getPorts()).anySatisfy(port -> {
            assertThat(port.getName()).isEqualTo("milter");
            assertThat(port.getContainerPort()).isEqualTo(10047);
        });
        assertThat(AgentServiceDependent.render(agent).getSpec().getPorts()).anySatisfy(port -> {
            assertThat(port.getName()).isEqualTo("milter");
            assertThat(port.getPort()).isEqualTo(10047);
            assertThat(port.getTargetPort().getStrVal()).isEqualTo("milter");
        });
        AgentConfig config = AgentConfigLoader.parse(AgentConfigMapDependent.render(agent, plan).getData().get("agent.yml"), "ConfigMap",
                Map.of("VSPAM_MILTER_LISTEN", "tcp://0.0.0.0:10047"));
        assertThat(config.milter().maxUrls()).isEqualTo(50);
        assertThat(config.milter().maxBody()).isEqualTo(2L << 20);
    }

    @Test
    void theDeploymentRunsLockedDownWithSecretsFromSecretsAndHealthProbes() {
        AgentPlan plan = Fixtures.plan(agent);
        Deployment deployment = AgentDeploymentDependent.render(agent, plan);
        var pod = deployment.getSpec().getTemplate().getSpec();
        Container container = pod.getContainers().getFirst();

        assertThat(deployment.getSpec().getReplicas()).isEqualTo(2);
        assertThat(deployment.getSpec().getSelector().getMatchLabels()).isEqualTo(AgentNames.selector(agent));
        assertThat(deployment.getSpec().getTemplate().getMetadata().getLabels()).containsAllEntriesOf(AgentNames.selector(agent));
        assertThat(deployment.getSpec().getStrategy().getRollingUpdate().getMaxUnavailable().getIntVal()).isZero();
        assertThat(deployment.getSpec().getTemplate().getMetadata().getAnnotations())
                .containsEntry(AgentNames.CONFIG_HASH, plan.configHash()).containsEntry("prometheus.io/port", "10048");
        assertThat(container.getImage()).isEqualTo(Fixtures.IMAGE);
        assertThat(container.getArgs()).containsExactly("--config", "/etc/vspam/agent.yml", "serve");
        assertLockedDown(container.getSecurityContext());
        assertThat(pod.getSecurityContext().getRunAsUser()).isEqualTo(65532L);
        assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
        assertThat(pod.getAutomountServiceAccountToken()).isFalse();
        assertThat(env(container, "VSPAM_API_KEY").getValue()).isNull();
        assertThat(env(container, "VSPAM_API_KEY").getValueFrom().getSecretKeyRef().getName()).isEqualTo("vspam-key");
        assertThat(env(container, "VSPAM_API_KEY").getValueFrom().getSecretKeyRef().getKey()).isEqualTo("api-key");
        assertThat(env(container, "VSPAM_REDIS_URL").getValueFrom().getSecretKeyRef().getName()).isEqualTo("vspam-redis");
        assertThat(env(container, "VSPAM_LISTEN").getValue()).isEqualTo("tcp://0.0.0.0:10045");
        assertThat(env(container, "VSPAM_HTTP_ENABLED").getValue()).isEqualTo("true");
        assertThat(container.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/health");
        assertThat(container.getLifecycle().getPreStop().getExec().getCommand()).containsExactly("sleep", "5");
        assertThat(pod.getTerminationGracePeriodSeconds()).as("pause, drain and report flush fit").isGreaterThanOrEqualTo(5 + 5 + 5 + 5L);
        assertThat(container.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/health");
        assertThat(container.getStartupProbe().getHttpGet().getPort().getStrVal()).as("health on metrics_listen").isEqualTo("metrics");
        assertThat(container.getPorts()).extracting(p -> p.getName() + ":" + p.getContainerPort())
                .containsExactlyInAnyOrder("http:10046", "metrics:10048", "policy:10045");
        assertThat(env(container, "VSPAM_HTTP_LISTEN").getValue()).as("/check for other MTAs, on the Service").isEqualTo("0.0.0.0:10046");
        assertThat(env(container, "VSPAM_METRICS_LISTEN").getValue()).isEqualTo("0.0.0.0:10048");
        assertThat(container.getResources().getLimits()).containsEntry("memory", new Quantity("256Mi"));
        assertThat(container.getVolumeMounts()).extracting(m -> m.getMountPath()).containsExactlyInAnyOrder("/etc/vspam", "/var/lib/vspam", "/tmp");
        assertThat(pod.getAffinity().getPodAntiAffinity()).as("agents spread over nodes").isNotNull();
        assertThat(Serialization.asYaml(deployment)).doesNotContain(Fixtures.API_KEY);
    }

    /** A private CA for rediss:// from a Secret or a ConfigMap key: mounted read-only, named by environment, not in agent.yml. */
    @Test
    void theRedisAuthorityIsMountedFromItsSecretOrConfigMapKey() throws Exception {
        agent.getSpec().redis.ca = CaRef.ofSecret("redis-tls", "ca.crt");
        AgentPlan plan = Fixtures.plan(agent);
        var pod = AgentDeploymentDependent.render(agent, plan).getSpec().getTemplate().getSpec();
        Container container = pod.getContainers().getFirst();

        assertThat(env(container, "VSPAM_REDIS_CA_FILE").getValue()).isEqualTo("/etc/vspam-tls/redis-ca.crt");
        assertThat(container.getVolumeMounts()).anySatisfy(mount -> {
            assertThat(mount.getName()).isEqualTo("vspam-redis-ca");
            assertThat(mount.getMountPath()).isEqualTo("/etc/vspam-tls");
            assertThat(mount.getReadOnly()).isTrue();
        });
        assertThat(pod.getVolumes()).filteredOn(volume -> volume.getName().equals("vspam-redis-ca")).singleElement().satisfies(volume -> {
            assertThat(volume.getSecret().getSecretName()).isEqualTo("redis-tls");
            assertThat(volume.getSecret().getItems()).extracting(item -> item.getKey() + "->" + item.getPath()).containsExactly("ca.crt->redis-ca.crt");
        });
        assertThat(plan.agentYaml()).doesNotContain("redis_ca_file");
        assertThat(plan.deployable()).as("the path exists in the pod, not in the operator: not validated here").isTrue();

        agent.getSpec().redis.ca = CaRef.ofConfigMap("trust-bundle", "bundle.pem");
        var fromConfigMap = AgentDeploymentDependent.render(agent, Fixtures.plan(agent)).getSpec().getTemplate().getSpec().getVolumes();
        assertThat(fromConfigMap).filteredOn(volume -> volume.getName().equals("vspam-redis-ca")).singleElement()
                .satisfies(volume -> assertThat(volume.getConfigMap().getName()).isEqualTo("trust-bundle"));
    }

    @Test
    void theDeploymentRollsWhenARestartOnlySettingOrASecretChangesAndNotForALiveOne() {
        String before = AgentDeploymentDependent.render(agent, Fixtures.plan(agent)).getSpec().getTemplate().getMetadata().getAnnotations()
                .get(AgentNames.CONFIG_HASH);
        agent.getSpec().allowSenders = List.of("partner.example");
        agent.getSpec().rejectMessage = "550 5.7.1 {indicator} is listed";
        String live = AgentDeploymentDependent.render(agent, Fixtures.plan(agent)).getSpec().getTemplate().getMetadata().getAnnotations()
                .get(AgentNames.CONFIG_HASH);
        assertThat(live).as("live settings reach the agents through the ConfigMap, without a roll").isEqualTo(before);
        assertThat(Fixtures.plan(agent).liveHash()).isNotEqualTo(Fixtures.plan(Fixtures.agent("mail", "vspam")).liveHash());
        agent.getSpec().cacheTtl = "5m";
        String after = AgentDeploymentDependent.render(agent, Fixtures.plan(agent)).getSpec().getTemplate().getMetadata().getAnnotations()
                .get(AgentNames.CONFIG_HASH);
        assertThat(after).isNotEqualTo(before);
    }

    @Test
    void theServiceOffersPolicyAndHttpToOtherMtas() {
        Service service = AgentServiceDependent.render(agent);
        assertThat(service.getMetadata().getName()).isEqualTo("vspam");
        assertThat(service.getSpec().getSelector()).isEqualTo(AgentNames.selector(agent));
        assertThat(service.getSpec().getPorts()).extracting(ServicePort::getName, ServicePort::getPort)
                .containsExactly(Tuple.tuple("policy", 10045), Tuple.tuple("http", 10046), Tuple.tuple("metrics", 10048));
    }

    /** The NetworkPolicy lets in whom each selector names, on its ports, and nobody else (no CNI here: evaluated as one would). */
    @Test
    void theNetworkPolicyLetsInTheClientsAndPrometheusAndNobodyElse() {
        agent.getSpec().networkPolicy = new NetworkPolicySpec();
        agent.getSpec().networkPolicy.enabled = true;
        NetworkPolicy byDefault = AgentNetworkPolicyDependent.render(agent);
        assertThat(byDefault.getSpec().getPodSelector().getMatchLabels()).isEqualTo(AgentNames.selector(agent));
        assertThat(reaches(byDefault, "mail", Map.of("app", "postfix"), 10045)).as("own namespace, policy").isTrue();
        assertThat(reaches(byDefault, "mail", Map.of("app", "anything"), 10046)).as("own namespace, /check").isTrue();
        assertThat(reaches(byDefault, "mail", Map.of(), 10048)).as("own namespace, metrics").isTrue();
        assertThat(reaches(byDefault, "mail", Map.of(), 10047)).as("no milter port without the milter").isFalse();
        assertThat(reaches(byDefault, "other", Map.of("app", "postfix"), 10045)).as("another tenant").isFalse();
        assertThat(reaches(byDefault, "other", Map.of(), 10048)).isFalse();

        agent.getSpec().milter.enabled = true;
        agent.getSpec().networkPolicy.clients = List.of(new NetworkPolicyPeerBuilder().withNewPodSelector()
                .withMatchLabels(Map.of("app", "postfix")).endPodSelector().build());
        agent.getSpec().networkPolicy.prometheus = new LabelSelectorBuilder().withMatchLabels(Map.of("kubernetes.io/metadata.name", "monitoring")).build();
        NetworkPolicy narrowed = AgentNetworkPolicyDependent.render(agent);
        assertThat(reaches(narrowed, "mail", Map.of("app", "postfix"), 10047)).as("Postfix, milter").isTrue();
        assertThat(reaches(narrowed, "mail", Map.of("app", "postfix"), 10045)).isTrue();
        assertThat(reaches(narrowed, "mail", Map.of("app", "web"), 10046)).as("another pod of the namespace").isFalse();
        assertThat(reaches(narrowed, "monitoring", Map.of("app", "prometheus"), 10048)).isTrue();
        assertThat(reaches(narrowed, "monitoring", Map.of("app", "prometheus"), 10046)).as("Prometheus, /check").isFalse();
        assertThat(reaches(narrowed, "mail", Map.of("app", "postfix"), 10048)).as("metrics only to Prometheus").isFalse();
    }

    /** NetworkPolicy semantics for matchLabels selectors: a rule admits a pod when one of its peers selects it, on one of its ports. */
    private static boolean reaches(NetworkPolicy policy, String namespace, Map<String, String> podLabels, int port) {
        Map<String, String> namespaceLabels = Map.of("kubernetes.io/metadata.name", namespace);
        return policy.getSpec().getIngress().stream().anyMatch(rule -> rule.getPorts().stream().anyMatch(p -> p.getPort().getIntVal() == port)
                && (rule.getFrom() == null || rule.getFrom().isEmpty() || rule.getFrom().stream().anyMatch(peer -> {
                    boolean inNamespace = peer.getNamespaceSelector() == null ? namespace.equals(policy.getMetadata().getNamespace())
                            : selects(peer.getNamespaceSelector(), namespaceLabels);
                    return inNamespace && (peer.getPodSelector() == null || selects(peer.getPodSelector(), podLabels));
                })));
    }

    private static boolean selects(LabelSelector selector, Map<String, String> labels) {
        return selector.getMatchLabels() == null || selector.getMatchLabels().entrySet().stream()
                .allMatch(entry -> entry.getValue().equals(labels.get(entry.getKey())));
    }

    @Test
    void theDisruptionBudgetLetsOneAgentGoAtATime() {
        PodDisruptionBudget budget = AgentDisruptionBudgetDependent.render(agent);
        assertThat(budget.getSpec().getMaxUnavailable().getIntVal()).isEqualTo(1);
        assertThat(budget.getSpec().getSelector().getMatchLabels()).isEqualTo(AgentNames.selector(agent));
    }

    @Test
    void theServiceMonitorScrapesMetricsOnTheHttpPort() {
        agent.getSpec().metrics.serviceMonitor = true;
        agent.getSpec().metrics.labels = Map.of("release", "prometheus");
        ServiceMonitor monitor = AgentServiceMonitorDependent.render(agent);
        assertThat(monitor.getMetadata().getLabels()).containsEntry("release", "prometheus").containsEntry("app.kubernetes.io/managed-by", "vspam-operator");
        assertThat(monitor.getSpec().getEndpoints()).singleElement().satisfies(endpoint -> {
            assertThat(endpoint.getPort()).isEqualTo("metrics");
            assertThat(endpoint.getPath()).isEqualTo("/metrics");
            assertThat(endpoint.getInterval()).isEqualTo("30s");
        });
    }

    @Test
    void theServiceMonitorNamesTheJobAfterTheAgentWhateverTheResourceIsCalled() {
        // the shipped alert rules and dashboard select job=~"vspam.*"; the Service carries app.kubernetes.io/name: vspam-agent
        assertThat(AgentServiceMonitorDependent.render(agent).getSpec().getJobLabel()).isEqualTo("app.kubernetes.io/name");
        assertThat(AgentServiceDependent.render(agent).getMetadata().getLabels()).containsEntry("app.kubernetes.io/name", "vspam-agent");
    }

    @Test
    void thePodMonitorScrapesOnlyTheSidecarsOfThePodsThatCarryThisResourcesSidecar() {
        agent.getSpec().metrics.serviceMonitor = true;
        agent.getSpec().metrics.labels = Map.of("release", "prometheus");
        PodMonitor monitor = AgentPodMonitorDependent.render(agent);
        assertThat(monitor.getMetadata().getName()).isEqualTo("vspam-sidecars");
        assertThat(monitor.getMetadata().getLabels()).containsEntry("release", "prometheus").containsEntry("app.kubernetes.io/managed-by", "vspam-operator");
        assertThat(monitor.getSpec().getSelector().getMatchLabels()).isEqualTo(Map.of(AgentNames.SIDECAR_LABEL, "vspam"));
        assertThat(monitor.getSpec().getPodMetricsEndpoints()).singleElement().satisfies(endpoint -> {
            assertThat(endpoint.getPort()).isEqualTo("metrics");
            assertThat(endpoint.getPath()).isEqualTo("/metrics");
            assertThat(endpoint.getInterval()).isEqualTo("30s");
            // Postfix's own containers may name a port "http" too: only the agent's container is kept, under the agents' job
            assertThat(endpoint.getRelabelings()).extracting(RelabelConfig::getSourceLabels, RelabelConfig::getRegex, RelabelConfig::getAction,
                    RelabelConfig::getTargetLabel, RelabelConfig::getReplacement).containsExactly(
                    Tuple.tuple(List.of("__meta_kubernetes_pod_container_name"), "vspam-agent", "keep", null, null),
                    Tuple.tuple(List.of(), null, null, "job", "vspam-agent"));
        });
    }

    @Test
    void everyObjectCarriesTheManagedByLabelItsInformersSelectOn() {
        AgentPlan plan = Fixtures.plan(agent);
        assertThat(List.of(AgentConfigMapDependent.render(agent, plan), AgentDeploymentDependent.render(agent, plan),
                AgentServiceDependent.render(agent), AgentDisruptionBudgetDependent.render(agent), AgentServiceMonitorDependent.render(agent),
                AgentPodMonitorDependent.render(agent)))
                .allSatisfy(object -> assertThat(object.getMetadata().getLabels()).containsEntry("app.kubernetes.io/managed-by", "vspam-operator")
                        .containsEntry("app.kubernetes.io/instance", "vspam"));
    }

    static void assertLockedDown(SecurityContext context) {
        assertThat(context.getRunAsUser()).isEqualTo(65532L);
        assertThat(context.getRunAsNonRoot()).isTrue();
        assertThat(context.getReadOnlyRootFilesystem()).isTrue();
        assertThat(context.getAllowPrivilegeEscalation()).isFalse();
        assertThat(context.getCapabilities().getDrop()).containsExactly("ALL");
        assertThat(context.getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
    }

    static EnvVar env(Container container, String name) {
        return container.getEnv().stream().filter(env -> env.getName().equals(name)).findFirst().orElseThrow();
    }
}
