package org.vspam.operator.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionReview;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.vspam.operator.customresource.VspamAgent;
import org.vspam.operator.sidecar.PostfixSidecar;
import org.vspam.operator.testing.Fixtures;

/**
 * What a packaged operator (its jar, or its image) must do against Fabric8's mock API server, started
 * with the chart's environment: provision its CA, write the caBundle, reconcile a VspamAgent to Ready,
 * answer the API server's call for a Postfix pod over TLS with the sidecar, leave the Deployment
 * untouched, keep the API key and its private key out of its log, and stop on SIGTERM.
 */
public final class OperatorScenario {
    private static final KubernetesSerialization JSON = new KubernetesSerialization();

    /** A started operator. */
    public interface Running {
        String log() throws Exception;

        /** SIGTERM; true once it has ended, within 30 s. */
        boolean stop() throws Exception;
    }

    /** Starts an operator with this environment (the chart's, with the mock server's address). */
    @FunctionalInterface
    public interface Launcher {
        Running start(Map<String, String> environment) throws Exception;
    }

    private OperatorScenario() {
    }

    /**
     * An operator launched with the chart's environment against the mock cluster of a Postfix
     * Deployment and a VspamAgent, once that VspamAgent is Ready.
     *
     * @param httpPort        its probes' and metrics' port ({@code /prometheus})
     * @param webhookPort     its admission webhook's
     * @param caBundle        the CA it wrote into the webhook configuration
     * @param firstReconcile  from the launch to the VspamAgent's Ready condition
     */
    public record Started(Running operator, Deployment postfix, int httpPort, int webhookPort, List<X509Certificate> caBundle,
                          Duration firstReconcile) {
    }

    /** Launches the operator on the mock cluster and waits until it has reconciled its VspamAgent to Ready. */
    public static Started startedAndReady(KubernetesClient client, Launcher launcher) throws Exception {
        Deployment postfix = WebhookServerTest.webhookCluster(client);
        int httpPort = Fixtures.freePort();
        int webhookPort = Fixtures.freePort();
        long launched = System.nanoTime();
        Running operator = launcher.start(Map.ofEntries(
                Map.entry("KUBERNETES_MASTER", client.getMasterUrl().toString()), Map.entry("KUBERNETES_TRUST_CERTIFICATES", "true"),
                Map.entry("KUBERNETES_AUTH_TRYKUBECONFIG", "false"), Map.entry("KUBERNETES_AUTH_TRYSERVICEACCOUNT", "false"),
                Map.entry("VSPAM_OPERATOR_LEADER_ELECTION", "false"), Map.entry("VSPAM_OPERATOR_LEASE_NAMESPACE", "vspam-system"),
                Map.entry("VSPAM_OPERATOR_WEBHOOK_CONFIGURATION", "vspam-operator"),
                Map.entry("VSPAM_OPERATOR_WEBHOOK_SERVICE", "vspam-operator"),
                Map.entry("MICRONAUT_SERVER_NETTY_LISTENERS_HTTP_PORT", String.valueOf(httpPort)),
                Map.entry("MICRONAUT_SERVER_NETTY_LISTENERS_WEBHOOK_PORT", String.valueOf(webhookPort))));
        try {
            List<X509Certificate> bundle = await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
                    .until(() -> WebhookCertificatesTest.caBundle(client), certificates -> !certificates.isEmpty());
            await().atMost(Duration.ofSeconds(60)).until(() -> ready(client.resources(VspamAgent.class).inNamespace("mail").withName("vspam").get()));
            return new Started(operator, postfix, httpPort, webhookPort, bundle, Duration.ofNanos(System.nanoTime() - launched));
        } catch (RuntimeException | Error e) {
            operator.stop();
            throw e;
        }
    }

    /** Runs the scenario; returns the time from the launch to the VspamAgent's Ready condition. */
    public static Duration injectsByWebhookOverTlsTheApiServerTrusts(KubernetesClient client, Launcher launcher) throws Exception {
        Started started = startedAndReady(client, launcher);
        Running operator = started.operator();
        try {
            String review = WebhookServerTest.resource("deployment-pod.json");
            ApiServerCall.Response response = ApiServerCall.post(started.webhookPort(), "/mutate-pods?timeout=5s", review, started.caBundle());

            assertThat(response.status()).as(operator.log()).isEqualTo(200);
            AdmissionReview answer = JSON.unmarshal(response.body(), AdmissionReview.class);
            Pod pod = JSON.convertValue(JSON.unmarshal(review, AdmissionReview.class).getRequest().getObject(), Pod.class);
            assertThat(PostfixSidecar.present(PodAdmissionTest.applied(pod, answer.getResponse()))).isTrue();
            assertThat(client.apps().deployments().inNamespace("mail").withName("postfix").get().getMetadata().getResourceVersion())
                    .isEqualTo(started.postfix().getMetadata().getResourceVersion());
            assertThat(operator.log()).doesNotContain(Fixtures.API_KEY).doesNotContain("BEGIN PRIVATE KEY");
        } finally {
            assertThat(operator.stop()).as("stops on SIGTERM").isTrue();
        }
        assertThat(operator.log()).doesNotContain("ERROR");
        return started.firstReconcile();
    }

    private static boolean ready(VspamAgent agent) {
        return agent != null && agent.getStatus() != null && agent.getStatus().conditions != null && agent.getStatus().conditions.stream()
                .anyMatch(c -> c.getType().equals("Ready") && c.getStatus().equals("True"));
    }
}
