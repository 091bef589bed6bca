package org.vspam.operator.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionReview;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.vspam.operator.customresource.VspamAgent;
import org.vspam.operator.sidecar.PostfixSidecar;
import org.vspam.operator.testing.Fixtures;

/**
 * The shaded operator jar, started as the image starts it ({@code java @docker/operator.jvm.options -jar},
 * the chart's environment), against Fabric8's mock API server: it provisions its CA, writes the
 * caBundle, answers the API server's call for a Postfix pod over TLS with the sidecar, leaves the
 * Deployment untouched, and stops cleanly on SIGTERM.
 */
@EnableKubernetesMockClient(crud = true)
@Timeout(180)
class OperatorJarIT {
    private static final KubernetesSerialization JSON = new KubernetesSerialization();
    static KubernetesClient client;

    @Test
    void thePackagedOperatorInjectsByWebhookOverTlsTheApiServerTrusts() throws Exception {
        Deployment postfix = WebhookServerTest.webhookCluster(client);

        Path root = Path.of("..").toAbsolutePath().normalize();
        int webhookPort = Fixtures.freePort();
        Path log = Files.createTempFile("vspam-operator-jar", ".log");
        ProcessBuilder builder = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"),
                "@" + root.resolve("docker/operator.jvm.options"), "-jar", root.resolve("operator/target/vspam-operator.jar").toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        builder.environment().putAll(Map.of(
                "KUBERNETES_MASTER", client.getMasterUrl().toString(), "KUBERNETES_TRUST_CERTIFICATES", "true",
                "KUBERNETES_AUTH_TRYKUBECONFIG", "false", "KUBERNETES_AUTH_TRYSERVICEACCOUNT", "false",
                "VSPAM_OPERATOR_LEADER_ELECTION", "false", "VSPAM_OPERATOR_LEASE_NAMESPACE", "vspam-system",
                "VSPAM_OPERATOR_WEBHOOK_CONFIGURATION", "vspam-operator", "VSPAM_OPERATOR_WEBHOOK_SERVICE", "vspam-operator",
                "MICRONAUT_SERVER_NETTY_LISTENERS_HTTP_PORT", String.valueOf(Fixtures.freePort()),
                "MICRONAUT_SERVER_NETTY_LISTENERS_WEBHOOK_PORT", String.valueOf(webhookPort)));
        Process operator = builder.start();
        try {
            List<X509Certificate> bundle = await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
                    .until(() -> WebhookCertificatesTest.caBundle(client), certificates -> !certificates.isEmpty());
            await().atMost(Duration.ofSeconds(60)).until(() -> ready(client.resources(VspamAgent.class).inNamespace("mail").withName("vspam").get()));

            String review = WebhookServerTest.resource("deployment-pod.json");
            ApiServerCall.Response response = ApiServerCall.post(webhookPort, "/mutate-pods?timeout=5s", review, bundle);

            assertThat(response.status()).as(Files.readString(log)).isEqualTo(200);
            AdmissionReview answer = JSON.unmarshal(response.body(), AdmissionReview.class);
            Pod pod = JSON.convertValue(JSON.unmarshal(review, AdmissionReview.class).getRequest().getObject(), Pod.class);
            assertThat(PostfixSidecar.present(PodAdmissionTest.applied(pod, answer.getResponse()))).isTrue();
            assertThat(client.apps().deployments().inNamespace("mail").withName("postfix").get().getMetadata().getResourceVersion())
                    .isEqualTo(postfix.getMetadata().getResourceVersion());
            assertThat(Files.readString(log)).doesNotContain(Fixtures.API_KEY).doesNotContain("BEGIN PRIVATE KEY");
        } finally {
            operator.destroy();
            assertThat(operator.waitFor(30, TimeUnit.SECONDS)).as("stops on SIGTERM").isTrue();
        }
        assertThat(Files.readString(log)).doesNotContain("ERROR");
    }

    private static boolean ready(VspamAgent agent) {
        return agent != null && agent.getStatus() != null && agent.getStatus().conditions != null && agent.getStatus().conditions.stream()
                .anyMatch(c -> c.getType().equals("Ready") && c.getStatus().equals("True"));
    }
}
