package org.vspam.operator.customresource;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.api.model.apiextensions.v1.ValidationRule;
import java.util.Arrays;
import java.util.Locale;
import org.vspam.config.Action;
import org.vspam.config.Family;
import org.vspam.config.Mode;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.Test;

/**
 * The CRD as the build generates it from the Java classes, and the committed copies users apply:
 * {@code crds/} and the chart's {@code crds/}. After changing the classes, refresh both with
 * {@code ./mvnw -pl operator -am test -Dtest=CustomResourceDefinitionTest -Dsurefire.failIfNoSpecifiedTests=false -Dgenerated.update=true}.
 */
class CustomResourceDefinitionTest {
    static final String FILE = "vspamagents.vspam.org-v1.yml";
    /** The committed copies, relative to the operator module. */
    static final List<Path> COMMITTED = List.of(Path.of("../crds", FILE), Path.of("../charts/vspam-operator/crds", FILE));

    private static String generated() throws IOException {
        try (InputStream in = CustomResourceDefinitionTest.class.getResourceAsStream("/META-INF/fabric8/" + FILE)) {
            assertThat(in).as("the build generates " + FILE).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static CustomResourceDefinition crd() throws IOException {
        return Serialization.unmarshal(generated(), CustomResourceDefinition.class);
    }

    private static JSONSchemaProps spec() throws IOException {
        return crd().getSpec().getVersions().getFirst().getSchema().getOpenAPIV3Schema().getProperties().get("spec");
    }

    @Test
    void theCommittedCopiesAreWhatTheCodeGenerates() throws IOException {
        String generated = generated();
        for (Path copy : COMMITTED) {
            if (Boolean.getBoolean("generated.update")) {
                Files.createDirectories(copy.getParent());
                Files.writeString(copy, generated);
            }
            assertThat(copy).as(copy + " exists").exists();
            assertThat(Files.readString(copy))
                    .as(copy.normalize() + " differs from the CRD the code generates; refresh it with ./mvnw -pl operator -am test "
                            + "-Dtest=CustomResourceDefinitionTest -Dsurefire.failIfNoSpecifiedTests=false -Dgenerated.update=true")
                    .isEqualTo(generated);
        }
    }

    @Test
    void namesScopeAndStatusAsKubectlUsesThem() throws IOException {
        CustomResourceDefinition crd = crd();
        assertThat(crd.getMetadata().getName()).isEqualTo("vspamagents.vspam.org");
        assertThat(crd.getSpec().getGroup()).isEqualTo("vspam.org");
        assertThat(crd.getSpec().getScope()).isEqualTo("Namespaced");
        assertThat(crd.getSpec().getNames().getKind()).isEqualTo("VspamAgent");
        assertThat(crd.getSpec().getNames().getPlural()).isEqualTo("vspamagents");
        assertThat(crd.getSpec().getNames().getShortNames()).containsExactly("vsa");
        assertThat(crd.getSpec().getVersions()).singleElement().satisfies(version -> {
            assertThat(version.getName()).isEqualTo("v1alpha1");
            assertThat(version.getSubresources().getStatus()).as("status subresource, for kubectl wait").isNotNull();
            assertThat(version.getAdditionalPrinterColumns()).extracting(CustomResourceColumnDefinition::getName, CustomResourceColumnDefinition::getJsonPath)
                    .contains(Tuple.tuple("Ready", ".status.conditions[?(@.type==\"Ready\")].status"),
                            Tuple.tuple("Reason", ".status.conditions[?(@.type==\"Ready\")].reason"),
                            Tuple.tuple("Replicas", ".status.readyReplicas"),
                            Tuple.tuple("Protected", ".status.protectedCount"));
        });
    }

    @Test
    void theSchemaRefusesWhatTheAgentWouldRefuse() throws IOException {
        JSONSchemaProps spec = spec();
        assertThat(spec.getProperties().get("cacheTtl").getPattern()).isEqualTo(VspamAgentSpec.DURATION);
        assertThat(spec.getProperties().get("cacheTtl").getDefault().asText()).isEqualTo("10m");
        assertThat(spec.getProperties().get("logLevel").getEnum()).extracting(node -> node.asText())
                .containsExactlyInAnyOrder("debug", "info", "warn", "error");
        assertThat(spec.getProperties().get("rejectMessage").getMaxLength()).isEqualTo(512L);
        JSONSchemaProps replicas = spec.getProperties().get("deployment").getProperties().get("replicas");
        assertThat(replicas.getMinimum()).isZero();
        assertThat(replicas.getDefault().asInt()).isEqualTo(2);
        assertThat(spec.getProperties().get("reporting").getProperties().get("queueSize").getMaximum()).isEqualTo(1_000_000.0);
        assertThat(spec.getProperties().get("redis").getProperties().get("url").getPattern()).as("no password inline").contains("[^@");
        java.util.regex.Pattern redisUrl = java.util.regex.Pattern.compile(spec.getProperties().get("redis").getProperties().get("url").getPattern());
        assertThat(List.of("redis://redis.mail:6379/0", "redis-sentinel://s-0.redis:26379,s-1.redis:26379/0#mymaster",
                "redis-cluster://redis-0.redis:6379,redis-1.redis:6379", "rediss-cluster://redis.mail:6380"))
                .allMatch(url -> redisUrl.matcher(url).matches());
        assertThat(List.of("redis-cluster://:pw@redis-0.redis:6379", "http://redis.mail")).noneMatch(url -> redisUrl.matcher(url).matches());
        assertThat(spec.getProperties().get("apiKeySecretRef").getRequired()).containsExactlyInAnyOrder("name", "key");
        assertThat(spec.getProperties().get("sidecars").getRequired()).containsExactly("selector");
    }

    @Test
    void theSchemaRefusesABadRangeSenderOrActionWord() throws IOException {
        JSONSchemaProps spec = spec();
        assertThat(spec.getProperties().get("actions").getProperties().keySet())
                .containsExactlyInAnyOrderElementsOf(Arrays.stream(Family.values()).map(Family::key).toList());
        assertThat(spec.getProperties().get("actions").getProperties().get("spam").getEnum()).extracting(node -> node.asText())
                .containsExactlyInAnyOrderElementsOf(Arrays.stream(Action.values()).map(Action::word).toList());
        assertThat(spec.getProperties().get("mode").getEnum()).extracting(node -> node.asText())
                .containsExactlyInAnyOrderElementsOf(Arrays.stream(Mode.values()).map(m -> m.name().toLowerCase(Locale.ROOT)).toList());
        assertThat(spec.getProperties().get("failureAction").getEnum()).extracting(node -> node.asText())
                .containsExactlyInAnyOrderElementsOf(Arrays.stream(org.vspam.config.FailureAction.values())
                        .map(m -> m.name().toLowerCase(Locale.ROOT)).toList());
        // The items' pattern, applied here as the API server applies it (ECMA-262, RE2 and Java agree on this one).
        java.util.regex.Pattern range = itemsPattern(spec.getProperties().get("allowClients"));
        assertThat(List.of("192.0.2.0/24", "198.51.100.7", "2001:db8::/32", "::1", "0.0.0.0/0")).allMatch(v -> range.matcher(v).matches());
        assertThat(List.of("192.0.2.0/33", "256.1.1.1", "mail.example.org", "2001:db8::/129", "")).noneMatch(v -> range.matcher(v).matches());
        java.util.regex.Pattern sender = itemsPattern(spec.getProperties().get("allowSenders"));
        assertThat(List.of("example.org", "postmaster@example.org", "bücher.example")).allMatch(v -> sender.matcher(v).matches());
        assertThat(List.of("two words.example", "a@@b", "@example.org", "")).noneMatch(v -> sender.matcher(v).matches());
    }

    private static java.util.regex.Pattern itemsPattern(JSONSchemaProps list) {
        return java.util.regex.Pattern.compile(list.getItems().getSchema().getPattern());
    }

    @Test
    void rulesThatSpanFieldsAreCelRules() throws IOException {
        JSONSchemaProps spec = spec();
        assertThat(spec.getXKubernetesValidations()).extracting(ValidationRule::getRule)
                .containsExactly("!has(self.deployment) || self.deployment.enabled || has(self.sidecars)");
        assertThat(spec.getProperties().get("redis").getXKubernetesValidations()).extracting(ValidationRule::getRule, ValidationRule::getMessage)
                .containsExactly(Tuple.tuple("has(self.url) != has(self.urlSecretRef)", "set exactly one of url and urlSecretRef"));
        assertThat(spec.getProperties().get("redis").getProperties().get("ca").getXKubernetesValidations())
                .extracting(ValidationRule::getRule, ValidationRule::getMessage)
                .containsExactly(Tuple.tuple("has(self.secretKeyRef) != has(self.configMapKeyRef)",
                        "set exactly one of secretKeyRef and configMapKeyRef"));
    }

    @Test
    void everyFieldOfOurOwnIsDocumented() throws IOException {
        JSONSchemaProps spec = spec();
        assertThat(spec.getProperties()).allSatisfy((name, field) -> assertThat(field.getDescription()).as("spec." + name).isNotBlank());
        for (String object : List.of("dnsbl", "reporting", "redis", "deployment", "sidecars", "metrics", "apiKeySecretRef")) {
            Map<String, JSONSchemaProps> fields = spec.getProperties().get(object).getProperties();
            assertThat(fields).allSatisfy((name, field) -> assertThat(field.getDescription()).as("spec." + object + "." + name).isNotBlank());
        }
        JSONSchemaProps status = crd().getSpec().getVersions().getFirst().getSchema().getOpenAPIV3Schema().getProperties().get("status");
        assertThat(status.getProperties()).allSatisfy((name, field) -> assertThat(field.getDescription()).as("status." + name).isNotBlank());
    }
}
