package org.vspam.operator.chart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.vspam.operator.customresource.VspamAgent;
import org.vspam.operator.plan.AgentNames;
import org.vspam.operator.plan.AgentPlanner;
import org.vspam.operator.testing.Fixtures;

/** The Helm chart through real Helm (helm-java bundles it): lint, render, schema, and what it renders. */
class HelmChartTest {
    private static final Path CHART = Path.of("../charts/vspam-operator");
    private static final String RELEASE = "vspam-operator";
    private static final String NAMESPACE = "vspam-system";

    private static List<HasMetadata> render(Consumer<TemplateCommand> values) {
        TemplateCommand template = new Helm(CHART).template().withName(RELEASE).withNamespace(NAMESPACE).withKubeVersion("1.31.0");
        values.accept(template);
        List<HasMetadata> objects = new ArrayList<>();
        for (String document : template.call().split("(?m)^---\\s*$")) {
            if (document.lines().anyMatch(line -> line.startsWith("kind:"))) {
                objects.add(Serialization.unmarshal(document));
            }
        }
        return objects;
    }

    private static <T extends HasMetadata> List<T> all(List<HasMetadata> objects, Class<T> type) {
        return objects.stream().filter(type::isInstance).map(type::cast).toList();
    }

    private static List<HasMetadata> kind(List<HasMetadata> objects, String kind) {
        return objects.stream().filter(object -> object.getKind().equals(kind)).toList();
    }

    private static Container operator(List<HasMetadata> objects) {
        return all(objects, Deployment.class).getFirst().getSpec().getTemplate().getSpec().getContainers().getFirst();
    }

    private static Optional<String> env(Container container, String name) {
        return container.getEnv().stream().filter(env -> env.getName().equals(name)).map(EnvVar::getValue).findFirst();
    }

    static Stream<Path> ciValues() throws IOException {
        return Files.list(CHART.resolve("ci")).filter(path -> path.toString().endsWith(".yaml")).sorted();
    }

    /**
     * deploy/vspam-operator.yaml, the one-file install (kubectl apply -f): the namespace, the CRD and
     * the chart rendered for the whole cluster. Refresh it with -Dgenerated.update=true after changing the chart.
     */
    @Test
    void theOneFileInstallIsWhatTheChartRenders() throws IOException {
        String rendered = "# Generated from charts/vspam-operator (see README); edit the chart, not this file.\n"
                + "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: " + NAMESPACE + "\n---\n"
                + Files.readString(CHART.resolve("crds/vspamagents.vspam.org-v1.yml"))
                + new Helm(CHART).template().withName(RELEASE).withNamespace(NAMESPACE).withKubeVersion("1.31.0")
                        .set("watch.scope", "cluster").call();
        Path committed = Path.of("../deploy/vspam-operator.yaml");
        if (Boolean.getBoolean("generated.update")) {
            Files.createDirectories(committed.getParent());
            Files.writeString(committed, rendered);
        }
        assertThat(committed).exists();
        assertThat(Files.readString(committed)).as("deploy/vspam-operator.yaml differs from what the chart renders; refresh it with "
                + "./mvnw -pl operator -am test -Dtest=HelmChartTest -Dsurefire.failIfNoSpecifiedTests=false -Dgenerated.update=true")
                .isEqualTo(rendered);
    }

    /**
     * deploy/monitoring/: the chart's dashboard and alert rules as plain files, for Grafana and
     * Prometheus outside Kubernetes. Refreshed with -Dgenerated.update=true like the one-file install.
     */
    @Test
    void deployMonitoringHoldsTheChartsDashboardAndRules() throws IOException {
        for (String file : List.of("vspam-dashboard.json", "vspam-rules.yaml")) {
            Path committed = Path.of("../deploy/monitoring").resolve(file);
            String source = Files.readString(CHART.resolve("monitoring").resolve(file));
            if (Boolean.getBoolean("generated.update")) {
                Files.createDirectories(committed.getParent());
                Files.writeString(committed, source);
            }
            assertThat(committed).exists();
            assertThat(Files.readString(committed)).as("deploy/monitoring/" + file + " differs from the chart's monitoring/" + file
                    + "; refresh it with -Dgenerated.update=true (see theOneFileInstallIsWhatTheChartRenders)").isEqualTo(source);
        }
    }

    @Test
    void theDashboardAndTheAlertRulesAreOffByDefaultAndOnShipTheChartsFiles() throws IOException {
        List<HasMetadata> byDefault = render(template -> { });
        assertThat(kind(byDefault, "PrometheusRule")).isEmpty();
        assertThat(all(byDefault, ConfigMap.class)).noneMatch(map -> map.getMetadata().getName().endsWith("-dashboard"));

        List<HasMetadata> objects = render(template -> template.set("metrics.dashboard.enabled", "true")
                .set("metrics.prometheusRule.enabled", "true").set("metrics.prometheusRule.labels.release", "prometheus"));
        ConfigMap dashboard = all(objects, ConfigMap.class).stream().filter(map -> map.getMetadata().getName().equals(RELEASE + "-dashboard"))
                .findFirst().orElseThrow();
        assertThat(dashboard.getMetadata().getLabels()).containsEntry("grafana_dashboard", "1");
        assertThat(dashboard.getData().get("vspam-dashboard.json")).isEqualTo(Files.readString(CHART.resolve("monitoring/vspam-dashboard.json")).strip());

        HasMetadata rule = kind(objects, "PrometheusRule").getFirst();
        assertThat(rule.getMetadata().getLabels()).containsEntry("release", "prometheus");
        JsonNode rendered = Serialization.jsonMapper().valueToTree(rule).get("spec").get("groups");
        JsonNode source = Serialization.jsonMapper().valueToTree(new org.yaml.snakeyaml.Yaml().load(
                Files.readString(CHART.resolve("monitoring/vspam-rules.yaml")))).get("groups");
        assertThat(alerts(rendered)).isEqualTo(alerts(source)).hasSize(8);
    }

    /** Each alert's name, expression, duration and annotations, as text. */
    private static List<String> alerts(JsonNode groups) {
        List<String> alerts = new ArrayList<>();
        groups.forEach(group -> group.get("rules").forEach(rule -> alerts.add(rule.get("alert").asText() + " | " + rule.get("expr").asText()
                + " | " + (rule.has("for") ? rule.get("for").asText() : "") + " | " + rule.get("annotations").get("summary")
                + " | " + rule.get("annotations").get("description"))));
        return alerts;
    }

    @Test
    void lintIsClean() {
        LintResult lint = new Helm(CHART).lint().strict().call();
        assertThat(lint.isFailed()).as(String.join("\n", lint.getMessages())).isFalse();
        assertThat(lint.getMessages()).noneMatch(message -> message.contains("[ERROR]") || message.contains("[WARNING]"));
    }

    @ParameterizedTest
    @MethodSource("ciValues")
    void everyCiScenarioRendersKubernetesObjects(Path values) {
        List<HasMetadata> objects = render(template -> template.withValuesFile(values));
        assertThat(all(objects, Deployment.class)).hasSize(1);
        assertThat(objects).allSatisfy(object -> assertThat(object.getMetadata().getName()).isNotBlank());
    }

    @Test
    void byDefaultItWatchesItsNamespaceWithARoleThereRunningLockedDown() {
        List<HasMetadata> objects = render(template -> { });

        assertThat(kind(objects, "ClusterRole")).extracting(o -> o.getMetadata().getName())
                .containsExactlyInAnyOrder(RELEASE + "-crd-reader", RELEASE + "-webhook");
        assertThat(all(objects, Role.class)).extracting(o -> o.getMetadata().getNamespace() + "/" + o.getMetadata().getName())
                .containsExactlyInAnyOrder(NAMESPACE + "/" + RELEASE, NAMESPACE + "/" + RELEASE + "-leader-election",
                        NAMESPACE + "/" + RELEASE + "-webhook");
        Container operator = operator(objects);
        assertThat(operator.getImage()).isEqualTo("ghcr.io/vspam-org/vspam-operator:0.3.0");
        assertThat(env(operator, "VSPAM_OPERATOR_NAMESPACES")).contains(NAMESPACE);
        assertThat(env(operator, "VSPAM_OPERATOR_AGENT_IMAGE")).contains("ghcr.io/vspam-org/vspam-agent:0.3.0");
        assertThat(operator.getSecurityContext().getRunAsUser()).isEqualTo(65532L);
        assertThat(operator.getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(operator.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
        assertThat(operator.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
        assertThat(operator.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
        assertThat(operator.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/health/liveness");
        assertThat(kind(objects, "VspamAgent")).isEmpty();
        assertThat(kind(objects, "ServiceMonitor")).isEmpty();
    }

    @Test
    void itsRoleGrantsWhatTheOperatorUsesAndNoMore() {
        Role role = all(render(template -> { }), Role.class).stream().filter(r -> r.getMetadata().getName().equals(RELEASE)).findFirst().orElseThrow();
        assertThat(verbs(role.getRules(), "", "secrets")).as("the named Secrets, read by name").containsExactly("get");
        assertThat(verbs(role.getRules(), "apps", "statefulsets")).doesNotContain("create", "delete");
        assertThat(verbs(role.getRules(), "vspam.org", "vspamagents/status")).contains("patch");
        assertThat(verbs(role.getRules(), "vspam.org", "vspamagents/finalizers")).containsExactly("update");
        assertThat(verbs(role.getRules(), "", "pods")).as("listed by selector, never watched or changed").containsExactly("list");
        assertThat(verbs(role.getRules(), "", "pods/eviction")).containsExactly("create");
        assertThat(verbs(role.getRules(), "", "pods/proxy")).as("the agents' /health, for ConfigApplied").containsExactly("get");
        assertThat(verbs(role.getRules(), "networking.k8s.io", "networkpolicies")).as("the agents' own, spec.networkPolicy").contains("create");
        assertThat(role.getRules()).allSatisfy(rule -> assertThat(rule.getVerbs()).doesNotContain("*"));
    }

    /** Off by default; on, the operator's pod takes the webhook from anywhere and its metrics port from the named namespaces only. */
    @Test
    void theOperatorsNetworkPolicyIsOptInAndOpensTheWebhookAndMetricsOnly() {
        assertThat(kind(render(template -> { }), "NetworkPolicy")).isEmpty();
        List<HasMetadata> objects = render(template -> template.set("networkPolicy.enabled", "true")
                .set("networkPolicy.prometheusNamespaceSelector.matchLabels.kubernetes\\.io/metadata\\.name", "monitoring"));
        NetworkPolicy policy = (NetworkPolicy) kind(objects, "NetworkPolicy").getFirst();
        assertThat(policy.getSpec().getPolicyTypes()).containsExactly("Ingress");
        assertThat(policy.getSpec().getIngress()).hasSize(2);
        assertThat(policy.getSpec().getIngress().getFirst().getFrom()).as("the webhook: the API server, from anywhere").isNullOrEmpty();
        assertThat(policy.getSpec().getIngress().getFirst().getPorts()).extracting(port -> port.getPort().getStrVal()).containsExactly("webhook");
        assertThat(policy.getSpec().getIngress().getLast().getFrom()).singleElement()
                .satisfies(peer -> assertThat(peer.getNamespaceSelector().getMatchLabels()).containsEntry("kubernetes.io/metadata.name", "monitoring"));
        assertThat(policy.getSpec().getIngress().getLast().getPorts()).extracting(port -> port.getPort().getStrVal()).containsExactly("http");
    }

    @Test
    void clusterScopeIsAClusterRoleAndAnEmptyNamespaceList() throws IOException {
        List<HasMetadata> objects = render(template -> template.withValuesFile(CHART.resolve("ci/cluster-scope-values.yaml")));
        assertThat(kind(objects, "ClusterRole")).extracting(o -> o.getMetadata().getName())
                .containsExactlyInAnyOrder(RELEASE, RELEASE + "-crd-reader", RELEASE + "-webhook");
        assertThat(kind(objects, "ClusterRoleBinding")).hasSize(3);
        assertThat(all(objects, Role.class)).extracting(o -> o.getMetadata().getName())
                .containsExactlyInAnyOrder(RELEASE + "-leader-election", RELEASE + "-webhook");
        assertThat(all(objects, MutatingWebhookConfiguration.class).getFirst().getWebhooks().getFirst().getNamespaceSelector()
                .getMatchExpressions()).singleElement().satisfies(expression -> {
                    assertThat(expression.getOperator()).isEqualTo("NotIn");
                    assertThat(expression.getValues()).contains("kube-system");
                });
        assertThat(env(operator(objects), "VSPAM_OPERATOR_NAMESPACES")).contains("");
        assertThat(kind(objects, "ServiceMonitor")).singleElement().satisfies(monitor -> {
            assertThat(monitor.getMetadata().getLabels()).containsEntry("release", "prometheus");
            // the job the alert rules and the dashboard select (vspam-operator), whatever the release is called
            assertThat(Serialization.asJson(monitor)).contains("\"jobLabel\":\"app.kubernetes.io/name\"");
        });
        assertThat(all(objects, Service.class)).filteredOn(service -> service.getMetadata().getName().equals(RELEASE)).singleElement()
                .satisfies(service -> assertThat(service.getMetadata().getLabels()).containsEntry("app.kubernetes.io/name", "vspam-operator"));
    }

    @Test
    void namespaceScopeGetsARoleInEveryWatchedNamespace() {
        List<HasMetadata> objects = render(template -> template.withValuesFile(CHART.resolve("ci/namespaces-values.yaml")));
        assertThat(all(objects, Role.class)).filteredOn(role -> role.getMetadata().getName().equals(RELEASE))
                .extracting(o -> o.getMetadata().getNamespace()).containsExactlyInAnyOrder(NAMESPACE, "mail", "mail-staging");
        assertThat(kind(objects, "RoleBinding")).filteredOn(binding -> binding.getMetadata().getName().equals(RELEASE)).hasSize(3);
        assertThat(all(objects, MutatingWebhookConfiguration.class).getFirst().getWebhooks().getFirst().getNamespaceSelector()
                .getMatchExpressions().getFirst().getValues()).as("pods of the watched namespaces only")
                .containsExactly(NAMESPACE, "mail", "mail-staging");
        assertThat(env(operator(objects), "VSPAM_OPERATOR_NAMESPACES")).contains(NAMESPACE + ",mail,mail-staging");
        assertThat(env(operator(objects), "VSPAM_OPERATOR_LEADER_ELECTION")).contains("false");
    }

    @Test
    void theChartsVspamAgentIsOneTheOperatorAccepts() {
        List<HasMetadata> objects = render(template -> template.withValuesFile(CHART.resolve("ci/agent-values.yaml")));
        GenericKubernetesResource generic = (GenericKubernetesResource) kind(objects, "VspamAgent").getFirst();
        VspamAgent agent = Serialization.unmarshal(Serialization.asYaml(generic), VspamAgent.class);

        assertThat(agent.getMetadata().getNamespace()).isEqualTo(NAMESPACE);
        assertThat(agent.getSpec().apiKeySecretRef.name).isEqualTo("vspam-api-key");
        assertThat(agent.getSpec().apiKeySecretRef.key).isEqualTo("api-key");
        assertThat(agent.getSpec().deployment.replicas).isEqualTo(3);
        assertThat(agent.getSpec().sidecars.selector.getMatchLabels()).containsEntry("app", "postfix");
        var plan = new AgentPlanner(Fixtures.DEFAULTS).plan(agent, name -> Optional.of(Fixtures.secret(NAMESPACE, name, "api-key", "k")));
        assertThat(plan.configProblem()).isEmpty();
        assertThat(plan.agentYaml()).contains("cache_ttl: 15m");
    }

    @Test
    void theWebhookIsRenderedSoADownOperatorNeverBlocksPostfixPods() {
        List<HasMetadata> objects = render(template -> { });
        MutatingWebhookConfiguration configuration = all(objects, MutatingWebhookConfiguration.class).getFirst();
        assertThat(configuration.getMetadata().getName()).isEqualTo(RELEASE + "-webhook");
        MutatingWebhook webhook = configuration.getWebhooks().getFirst();
        assertThat(webhook.getFailurePolicy()).isEqualTo("Ignore");
        assertThat(webhook.getTimeoutSeconds()).isEqualTo(5);
        assertThat(webhook.getSideEffects()).isEqualTo("None");
        assertThat(webhook.getAdmissionReviewVersions()).containsExactly("v1");
        assertThat(webhook.getClientConfig().getCaBundle()).as("written by the operator").isNull();
        assertThat(webhook.getClientConfig().getService().getName()).isEqualTo(RELEASE);
        assertThat(webhook.getClientConfig().getService().getNamespace()).isEqualTo(NAMESPACE);
        assertThat(webhook.getClientConfig().getService().getPath()).isEqualTo("/mutate-pods");
        assertThat(webhook.getRules()).singleElement().satisfies(rule -> {
            assertThat(rule.getResources()).containsExactly("pods");
            assertThat(rule.getOperations()).containsExactly("CREATE");
        });
        assertThat(webhook.getNamespaceSelector().getMatchExpressions()).singleElement().satisfies(expression -> {
            assertThat(expression.getOperator()).isEqualTo("In");
            assertThat(expression.getValues()).containsExactly(NAMESPACE);
        });
        assertThat(webhook.getObjectSelector().getMatchExpressions()).singleElement().satisfies(expression ->
                assertThat(expression.getValues()).as("never its own or the agents' pods").containsExactly(RELEASE, AgentNames.APP));

        Service service = all(objects, Service.class).getFirst();
        assertThat(service.getSpec().getPorts()).anySatisfy(port -> {
            assertThat(port.getPort()).isEqualTo(443);
            assertThat(port.getTargetPort().getStrVal()).isEqualTo("webhook");
        });
        Container operator = operator(objects);
        assertThat(operator.getPorts()).anySatisfy(port -> assertThat(port.getContainerPort()).isEqualTo(8443));
        assertThat(env(operator, "VSPAM_OPERATOR_WEBHOOK_CONFIGURATION")).contains(RELEASE + "-webhook");
        assertThat(env(operator, "VSPAM_OPERATOR_WEBHOOK_SERVICE")).contains(RELEASE);
        assertThat(env(operator, "VSPAM_OPERATOR_WEBHOOK_CA_SECRET")).contains(RELEASE + "-webhook-ca");
        assertThat(env(operator, "VSPAM_OPERATOR_WEBHOOK_CERTIFICATES")).contains("operator");

        // Its own CA: by name, and the one configuration's caBundle.
        Role role = all(objects, Role.class).stream().filter(r -> r.getMetadata().getName().equals(RELEASE + "-webhook")).findFirst().orElseThrow();
        assertThat(role.getRules()).anySatisfy(rule -> {
            assertThat(rule.getResourceNames()).containsExactly(RELEASE + "-webhook-ca");
            assertThat(rule.getVerbs()).containsExactly("get", "update");
        });
        ClusterRole clusterRole = all(objects, ClusterRole.class).stream().filter(r -> r.getMetadata().getName().equals(RELEASE + "-webhook"))
                .findFirst().orElseThrow();
        assertThat(clusterRole.getRules()).singleElement().satisfies(rule -> {
            assertThat(rule.getResources()).containsExactly("mutatingwebhookconfigurations");
            assertThat(rule.getResourceNames()).containsExactly(RELEASE + "-webhook");
        });
    }

    @Test
    void withCertManagerTheCertificateIsMountedAndTheCaInjectedByIt() {
        List<HasMetadata> objects = render(template -> template.withValuesFile(CHART.resolve("ci/cert-manager-values.yaml")));
        MutatingWebhookConfiguration configuration = all(objects, MutatingWebhookConfiguration.class).getFirst();
        assertThat(configuration.getMetadata().getAnnotations()).containsEntry("cert-manager.io/inject-ca-from", NAMESPACE + "/" + RELEASE + "-webhook");
        assertThat(configuration.getWebhooks().getFirst().getTimeoutSeconds()).isEqualTo(3);
        assertThat(configuration.getWebhooks().getFirst().getObjectSelector().getMatchLabels()).containsEntry("app", "postfix");
        GenericKubernetesResource certificate = (GenericKubernetesResource) kind(objects, "Certificate").getFirst();
        assertThat((Object) certificate.get("spec", "secretName")).isEqualTo(RELEASE + "-webhook-tls");
        assertThat(String.valueOf((Object) certificate.get("spec", "dnsNames"))).contains(RELEASE + "." + NAMESPACE + ".svc,");
        assertThat(kind(objects, "Issuer")).hasSize(1);
        Container operator = operator(objects);
        assertThat(env(operator, "VSPAM_OPERATOR_WEBHOOK_CERTIFICATES")).contains("mounted");
        assertThat(operator.getVolumeMounts()).anySatisfy(mount -> assertThat(mount.getMountPath()).isEqualTo("/etc/vspam-operator/webhook"));
        assertThat(all(objects, Role.class)).noneMatch(role -> role.getMetadata().getName().equals(RELEASE + "-webhook"));
    }

    @Test
    void withoutTheWebhookNothingOfItIsRendered() {
        List<HasMetadata> objects = render(template -> template.set("webhook.enabled", "false"));
        assertThat(all(objects, MutatingWebhookConfiguration.class)).isEmpty();
        assertThat(all(objects, Service.class).getFirst().getSpec().getPorts()).extracting(port -> port.getPort()).containsExactly(8080);
        assertThat(env(operator(objects), "VSPAM_OPERATOR_WEBHOOK_CONFIGURATION")).isEmpty();
    }

    @Test
    void theSchemaRefusesAMisspelledKeyAndAWrongType() {
        assertThatThrownBy(() -> render(template -> template.set("imag.tag", "1.0")))
                .hasMessageContaining("additional properties 'imag' not allowed");
        assertThatThrownBy(() -> render(template -> template.set("agent.apikey.existingSecret", "vspam-key")))
                .hasMessageContaining("additional properties 'apikey' not allowed");
        assertThatThrownBy(() -> render(template -> template.set("watch.scope", "everywhere")))
                .hasMessageContaining("at '/watch/scope': value must be one of 'namespace', 'cluster'");
        assertThatThrownBy(() -> render(template -> template.set("webhook.timeoutSeconds", "60")))
                .hasMessageContaining("at '/webhook/timeoutSeconds'");
        assertThatThrownBy(() -> render(template -> template.set("replicaCount", "two")))
                .hasMessageContaining("at '/replicaCount'");
    }

    private static List<String> verbs(List<PolicyRule> rules, String group, String resource) {
        return rules.stream().filter(rule -> rule.getApiGroups().contains(group) && rule.getResources().contains(resource))
                .flatMap(rule -> rule.getVerbs().stream()).toList();
    }
}
