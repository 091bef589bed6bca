package org.vspam.operator.testing;

import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.vspam.operator.customresource.RedisSpec;
import org.vspam.operator.customresource.SecretKeyRef;
import org.vspam.operator.customresource.SidecarSpec;
import org.vspam.operator.customresource.VspamAgent;
import org.vspam.operator.plan.AgentPlan;
import org.vspam.operator.plan.AgentPlanner;
import org.vspam.operator.plan.OperatorDefaults;

/** Resources as a user would write them, and the plan the operator makes of them. */
public final class Fixtures {
    public static final String IMAGE = "registry.example.net/vspam-agent:test";
    public static final String API_KEY = "vspam_test_key_never_shown";
    public static final OperatorDefaults DEFAULTS = new OperatorDefaults(IMAGE,
            OperatorDefaults.resources("100m", "192Mi", "256Mi"), OperatorDefaults.resources("50m", "160Mi", "256Mi"));

    private Fixtures() {
    }

    /** A VspamAgent with an API key Secret, a Redis in a Secret, and sidecars for {@code app=postfix}. */
    public static VspamAgent agent(String namespace, String name) {
        VspamAgent agent = new VspamAgent();
        agent.setMetadata(new ObjectMetaBuilder().withNamespace(namespace).withName(name).withGeneration(1L).withUid("uid-" + name).build());
        agent.getSpec().apiKeySecretRef = new SecretKeyRef("vspam-key", "api-key");
        agent.getSpec().redis = new RedisSpec();
        agent.getSpec().redis.urlSecretRef = new SecretKeyRef("vspam-redis", "url");
        agent.getSpec().sidecars = new SidecarSpec();
        agent.getSpec().sidecars.selector = new LabelSelectorBuilder().withMatchLabels(Map.of("app", "postfix")).build();
        return agent;
    }

    /** The client the application builds (as kubectl: system properties first) talks to the mock server. */
    public static void useMockServer(KubernetesClient client) {
        System.setProperty("kubernetes.master", client.getMasterUrl().toString());
        System.setProperty("kubernetes.trust.certificates", "true"); // the mock server's certificate is self-signed
        System.setProperty("kubernetes.auth.tryKubeConfig", "false");
        System.setProperty("kubernetes.auth.tryServiceAccount", "false");
    }

    public static void forgetMockServer() {
        for (String property : List.of("kubernetes.master", "kubernetes.trust.certificates", "kubernetes.auth.tryKubeConfig",
                "kubernetes.auth.tryServiceAccount")) {
            System.clearProperty(property);
        }
    }

    /** A port nothing listens on now. */
    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Secret secret(String namespace, String name, String key, String value) {
        return new SecretBuilder().withNewMetadata().withNamespace(namespace).withName(name).endMetadata()
                .withData(Map.of(key, Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8)))).build();
    }

    /** The plan with both Secrets present. */
    public static AgentPlan plan(VspamAgent agent) {
        String namespace = agent.getMetadata().getNamespace();
        Map<String, Secret> secrets = Map.of(
                "vspam-key", secret(namespace, "vspam-key", "api-key", API_KEY),
                "vspam-redis", secret(namespace, "vspam-redis", "url", "redis://:pw@redis.example.net:6379/0"));
        return new AgentPlanner(DEFAULTS).plan(agent, name -> Optional.ofNullable(secrets.get(name)));
    }

    /** A Postfix Deployment as a mail operator writes it, with a few things of its own the sidecar must leave alone. */
    public static Deployment postfix(String namespace, String name, Map<String, String> labels) {
        return new DeploymentBuilder()
                .withNewMetadata().withNamespace(namespace).withName(name).withLabels(labels).endMetadata()
                .withNewSpec()
                .withReplicas(1)
                .withNewSelector().withMatchLabels(Map.of("workload", name)).endSelector()
                .withNewTemplate()
                .withNewMetadata().withLabels(Map.of("workload", name)).withAnnotations(Map.of("example.org/owner", "mail-team")).endMetadata()
                .withNewSpec()
                .addNewInitContainer().withName("render-config").withImage("registry.example.net/postfix-config:1").endInitContainer()
                .addNewContainer().withName("postfix").withImage("registry.example.net/postfix:3.7")
                .addNewVolumeMount().withName("spool").withMountPath("/var/spool/postfix").endVolumeMount()
                .addNewPort().withContainerPort(25).endPort()
                .endContainer()
                .addNewContainer().withName("exporter").withImage("registry.example.net/postfix-exporter:1").endContainer()
                .addNewVolume().withName("spool").withNewEmptyDir().endEmptyDir().endVolume()
                .endSpec()
                .endTemplate()
                .endSpec()
                .build();
    }
}
