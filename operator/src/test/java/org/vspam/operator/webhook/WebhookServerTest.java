package org.vspam.operator.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.admission.v1.AdmissionReview;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.vspam.operator.customresource.SidecarInjection;
import org.vspam.operator.customresource.VspamAgent;
import org.vspam.operator.sidecar.PostfixSidecar;
import org.vspam.operator.testing.Fixtures;

/**
 * The operator application's webhook as the API server calls it: HTTPS to
 * {@code vspam-operator.vspam-system.svc}, trusting only the {@code caBundle} the operator wrote into
 * its MutatingWebhookConfiguration, an AdmissionReview of a pod in, a JSON patch out.
 */
@EnableKubernetesMockClient(crud = true)
@Timeout(120)
class WebhookServerTest {
    private static final String SERVICE_NAME = ApiServerCall.SERVICE_NAME;
    private static final KubernetesSerialization JSON = new KubernetesSerialization();
    private static final int HTTP_PORT = Fixtures.freePort();
    private static final int WEBHOOK_PORT = Fixtures.freePort();

    static KubernetesClient client;
    private static EmbeddedServer application;

    /**
     * A cluster with the operator's CRD and MutatingWebhookConfiguration, and in namespace "mail" a
     * Postfix Deployment whose VspamAgent injects by webhook; returns the Deployment as created.
     */
    static Deployment webhookCluster(KubernetesClient client) {
        client.resource(client.getKubernetesSerialization().unmarshal(
                WebhookServerTest.class.getResourceAsStream("/META-INF/fabric8/vspamagents.vspam.org-v1.yml"),
                CustomResourceDefinition.class)).create();
        client.resource(WebhookCertificatesTest.configuration()).create();
        client.resource(Fixtures.secret("mail", "vspam-key", "api-key", Fixtures.API_KEY)).create();
        client.resource(Fixtures.secret("mail", "vspam-redis", "url", "redis://:pw@redis.example.net:6379/0")).create();
        Deployment postfix = client.resource(Fixtures.postfix("mail", "postfix", Map.of("app", "postfix"))).create();
        VspamAgent agent = Fixtures.agent("mail", "vspam");
        agent.getSpec().sidecars.injection = SidecarInjection.WEBHOOK;
        agent.getSpec().deployment.enabled = false;
        agent.getMetadata().setUid(null);
        client.resource(agent).create();
        return postfix;
    }

    @BeforeAll
    static void start() {
        webhookCluster(client);

        Fixtures.useMockServer(client);
        application = ApplicationContext.run(EmbeddedServer.class, Map.of(
                "micronaut.server.netty.listeners.http.port", HTTP_PORT,
                "micronaut.server.netty.listeners.webhook.port", WEBHOOK_PORT,
                "vspam.operator.leader-election", false,
                "vspam.operator.lease-namespace", "vspam-system",
                "vspam.operator.webhook.configuration", "vspam-operator",
                "vspam.operator.agent-image", Fixtures.IMAGE));
    }

    @AfterAll
    static void stop() {
        application.close();
        Fixtures.forgetMockServer();
    }

    @Test
    void aPodCreationIsAnsweredWithTheSidecarOverTlsTheApiServerTrusts() throws Exception {
        List<X509Certificate> bundle = await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                .until(() -> WebhookCertificatesTest.caBundle(client), certificates -> !certificates.isEmpty());
        String review = resource("deployment-pod.json");

        ApiServerCall.Response response = ApiServerCall.post(WEBHOOK_PORT, "/mutate-pods?timeout=5s", review, bundle);

        assertThat(response.status()).isEqualTo(200);
        AdmissionReview answer = JSON.unmarshal(response.body(), AdmissionReview.class);
        assertThat(answer.getApiVersion()).isEqualTo("admission.k8s.io/v1");
        assertThat(answer.getKind()).isEqualTo("AdmissionReview");
        assertThat(answer.getResponse().getUid()).isEqualTo("705ab4f5-6393-11e8-b7cc-42010a800002");
        assertThat(answer.getResponse().getAllowed()).isTrue();
        var request = JSON.unmarshal(review, AdmissionReview.class).getRequest();
        assertThat(PostfixSidecar.present(PodAdmissionTest.applied(JSON.convertValue(request.getObject(),
                io.fabric8.kubernetes.api.model.Pod.class), answer.getResponse()))).isTrue();
    }

    @Test
    void aBodyThatIsNotAnAdmissionReviewIsA400WithOneLine() throws Exception {
        List<X509Certificate> bundle = await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                .until(() -> WebhookCertificatesTest.caBundle(client), certificates -> !certificates.isEmpty());
        for (String body : List.of("{\"kind\": \"AdmissionReview\", \"request\": ", "[]", "{\"apiVersion\": \"admission.k8s.io/v1\"}",
                "{\"request\": {\"uid\": \"7\"}}",
                "{\"request\": {\"uid\": \"7\", \"operation\": \"CREATE\", \"kind\": {\"kind\": \"Pod\"}, \"object\": {\"spec\": 5}}}")) {
            ApiServerCall.Response response = ApiServerCall.post(WEBHOOK_PORT, "/mutate-pods", body, bundle);
            assertThat(response.status()).as(body).isEqualTo(400);
            assertThat(response.body().strip()).as(body).isNotBlank().doesNotContain("\n");
        }
        // The webhook goes on answering.
        assertThat(ApiServerCall.post(WEBHOOK_PORT, "/mutate-pods", resource("deployment-pod.json"), bundle).status()).isEqualTo(200);
    }

    @Test
    void aCertificateForAnotherNameOrFromAnotherCaIsRefused() throws Exception {
        List<X509Certificate> bundle = await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                .until(() -> WebhookCertificatesTest.caBundle(client), certificates -> !certificates.isEmpty());
        assertThatThrownBy(() -> ApiServerCall.post(WEBHOOK_PORT, "/mutate-pods", "{}", bundle, "postfix.mail.svc"))
                .isInstanceOf(SSLHandshakeException.class);
        List<X509Certificate> stranger = List.of(CertificateAuthority.create("stranger", java.time.Instant.now(), Duration.ofDays(1)).certificate());
        assertThatThrownBy(() -> ApiServerCall.post(WEBHOOK_PORT, "/mutate-pods", "{}", stranger, SERVICE_NAME))
                .isInstanceOf(SSLHandshakeException.class);
    }

    @Test
    void theHealthPortTakesNoReviewsAndTheWebhookPortServesNoHealth() throws Exception {
        var http = java.net.http.HttpClient.newHttpClient();
        var plain = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://localhost:" + HTTP_PORT + "/mutate-pods"))
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(resource("deployment-pod.json"))).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(plain.statusCode()).isEqualTo(404);
        List<X509Certificate> bundle = await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                .until(() -> WebhookCertificatesTest.caBundle(client), certificates -> !certificates.isEmpty());
        assertThat(ApiServerCall.request(WEBHOOK_PORT, "GET /health HTTP/1.1\r\nHost: " + SERVICE_NAME + "\r\nConnection: close\r\n\r\n", bundle, SERVICE_NAME)
                .status()).isEqualTo(404);
    }

    static String resource(String name) throws IOException {
        try (InputStream in = WebhookServerTest.class.getResourceAsStream("/admission/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
