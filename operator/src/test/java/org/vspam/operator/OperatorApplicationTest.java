package org.vspam.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectRulesReviewBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import java.net.ServerSocket;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.vspam.operator.customresource.VspamAgent;
import org.vspam.operator.testing.Fixtures;

/**
 * The operator process as it runs in its pod: the Micronaut application finds the API server the
 * way kubectl would (here through the {@code kubernetes.master} setting), takes the leader Lease,
 * serves health and Prometheus metrics, and reconciles.
 */
@EnableKubernetesMockClient(crud = true)
@Timeout(120)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OperatorApplicationTest {
    static KubernetesMockServer server;
    static KubernetesClient client;
    private static EmbeddedServer application;
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final int HTTP_PORT = Fixtures.freePort();

    @BeforeAll
    static void start() {
        client.resource(client.getKubernetesSerialization().unmarshal(
                OperatorApplicationTest.class.getResourceAsStream("/META-INF/fabric8/vspamagents.vspam.org-v1.yml"),
                CustomResourceDefinition.class)).create();
        // JOSDK asks whether it may use Leases before electing; the mock server cannot answer that itself.
        server.expect().post().withPath("/apis/authorization.k8s.io/v1/selfsubjectrulesreviews").andReturn(201,
                new SelfSubjectRulesReviewBuilder().withNewMetadata().endMetadata().withNewStatus().withIncomplete(false)
                        .addNewResourceRule().withApiGroups("coordination.k8s.io").withResources("leases").withVerbs("*").endResourceRule()
                        .endStatus().build()).always();
        Fixtures.useMockServer(client);
        application = ApplicationContext.run(EmbeddedServer.class, Map.of(
                "micronaut.server.netty.listeners.http.port", HTTP_PORT,
                "micronaut.server.netty.listeners.webhook.port", Fixtures.freePort(),
                "vspam.operator.lease-namespace", "vspam-system",
                "vspam.operator.agent-image", Fixtures.IMAGE));
    }

    @AfterAll
    static void stop() {
        if (application.isRunning()) {
            application.close();
        }
        Fixtures.forgetMockServer();
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:" + HTTP_PORT + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    @Order(1)
    void itTakesTheLeaderLeaseReconcilesAndReportsHealthAndMetrics() throws Exception {
        Lease lease = await().atMost(Duration.ofSeconds(30)).until(() ->
                client.leases().inNamespace("vspam-system").withName(AgentOperator.LEASE_NAME).get(), l -> l != null);
        assertThat(lease.getSpec().getHolderIdentity()).isNotBlank();

        client.resource(Fixtures.secret("mail", "vspam-key", "api-key", Fixtures.API_KEY)).create();
        client.resource(Fixtures.secret("mail", "vspam-redis", "url", "redis://redis.example.net:6379/0")).create();
        VspamAgent agent = Fixtures.agent("mail", "vspam");
        agent.getMetadata().setUid(null);
        client.resource(agent).create();
        await().atMost(Duration.ofSeconds(30)).until(() -> client.apps().deployments().inNamespace("mail").withName("vspam").get() != null);
        assertThat(client.apps().deployments().inNamespace("mail").withName("vspam").get().getSpec().getTemplate().getSpec()
                .getContainers().getFirst().getImage()).as("the configured default image").isEqualTo(Fixtures.IMAGE);

        HttpResponse<String> health = await().atMost(Duration.ofSeconds(30)).until(() -> get("/health"), r -> r.statusCode() == 200);
        assertThat(health.body()).contains("\"status\":\"UP\"").contains("\"started\":true").contains("\"leadership\":\"leading\"");
        assertThat(get("/health/liveness").statusCode()).isEqualTo(200);
        assertThat(get("/health/readiness").statusCode()).isEqualTo(200);

        HttpResponse<String> metrics = get("/prometheus");
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.body()).contains("operator_sdk_").doesNotContain(Fixtures.API_KEY);
    }

    @Test
    @Order(2)
    void onStopItReleasesTheLeaseForTheNextReplica() {
        application.close();
        Lease lease = client.leases().inNamespace("vspam-system").withName(AgentOperator.LEASE_NAME).get();
        assertThat(lease.getSpec().getHolderIdentity()).as("no holder: a replacement takes over at once").isEmpty();
        assertThat(lease.getSpec().getLeaseDurationSeconds()).isEqualTo(1);
    }

    @Test
    @Order(3)
    void itDoesNotReconcileUntilItsHealthPortListens() throws Exception {
        int requests = server.getRequestCount();
        try (ServerSocket taken = new ServerSocket(0)) {
            assertThatThrownBy(() -> ApplicationContext.run(EmbeddedServer.class, Map.of(
                    "micronaut.server.netty.listeners.http.port", taken.getLocalPort(),
                    "micronaut.server.netty.listeners.webhook.port", Fixtures.freePort(),
                    "vspam.operator.lease-namespace", "vspam-system",
                    "vspam.operator.agent-image", Fixtures.IMAGE))).isInstanceOf(RuntimeException.class);
        }
        // An operator that cannot answer its probes never started: it asked the API server nothing.
        assertThat(server.getRequestCount()).isEqualTo(requests);
        assertThat(client.leases().inNamespace("vspam-system").withName(AgentOperator.LEASE_NAME).get().getSpec().getHolderIdentity())
                .isEmpty();
    }
}
