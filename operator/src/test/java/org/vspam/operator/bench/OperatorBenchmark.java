package org.vspam.operator.bench;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.vspam.operator.customresource.DeploymentSpec;
import org.vspam.operator.customresource.SecretKeyRef;
import org.vspam.operator.customresource.SidecarInjection;
import org.vspam.operator.customresource.SidecarSpec;
import org.vspam.operator.customresource.VspamAgent;
import org.vspam.operator.testing.Fixtures;

/**
 * The operator jar, run as its image runs it ({@code java @images/operator.jvm.options -jar}), against
 * Fabric8's mock API server holding N VspamAgents, each with its Secret and a Postfix Deployment
 * to protect with the sidecar. Prints the time until all are Ready, reconciles per second, the
 * operator's resident memory, and the writes it makes in an idle period after that.
 *
 * <p>{@code ./mvnw -pl operator -am -Pbench verify -Dbench.agents=1000} ({@code -Dbench.injection=webhook}: the
 * sidecars by webhook, so each reconcile also lists the workload's pods)
 */
public final class OperatorBenchmark {
    private static final String NAMESPACE = "mail";

    private OperatorBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int agents = Integer.getInteger("bench.agents", 100);
        Duration idle = Duration.parse("PT" + System.getProperty("bench.idle", "60s").toUpperCase());
        Path root = Path.of(System.getProperty("bench.root", "..")).toAbsolutePath().normalize();
        // The pod's memory limit, which the image's -XX:MaxRAMPercentage is a share of (the chart's limit: 384Mi).
        String memory = System.getProperty("bench.memory", "384m");
        SidecarInjection injection = SidecarInjection.valueOf(System.getProperty("bench.injection", "patch").toUpperCase());
        KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new KubernetesCrudDispatcher(), false);
        server.init();
        try (KubernetesClient client = server.createClient()) {
            client.resource(client.getKubernetesSerialization().unmarshal(
                    OperatorBenchmark.class.getResourceAsStream("/META-INF/fabric8/vspamagents.vspam.org-v1.yml"),
                    CustomResourceDefinition.class)).create();
            for (int i = 0; i < agents; i++) {
                client.resource(Fixtures.secret(NAMESPACE, "key-" + i, "api-key", Fixtures.API_KEY)).create();
                client.resource(Fixtures.postfix(NAMESPACE, "postfix-" + i, Map.of("app", "postfix-" + i))).create();
                VspamAgent agent = Fixtures.agent(NAMESPACE, "vspam-" + i);
                agent.getMetadata().setUid(null);
                agent.getSpec().apiKeySecretRef = new SecretKeyRef("key-" + i, "api-key");
                agent.getSpec().redis = null;
                agent.getSpec().deployment = new DeploymentSpec();
                agent.getSpec().deployment.enabled = false;
                agent.getSpec().sidecars = new SidecarSpec();
                agent.getSpec().sidecars.selector = new io.fabric8.kubernetes.api.model.LabelSelectorBuilder()
                        .withMatchLabels(Map.of("app", "postfix-" + i)).build();
                agent.getSpec().sidecars.injection = injection;
                client.resource(agent).create();
            }
            System.out.printf("%d VspamAgents (injection: %s), %d Secrets and %d Postfix Deployments in the mock API server%n", agents,
                    injection.name().toLowerCase(), agents, agents);
            drain(server);

            Path log = Files.createTempFile("vspam-operator-bench", ".log");
            ProcessBuilder builder = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"),
                    "@" + root.resolve("images/operator.jvm.options"), "-XX:MaxRAM=" + memory, "-jar", root.resolve("operator/target/vspam-operator.jar").toString())
                    .redirectErrorStream(true).redirectOutput(log.toFile()).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            builder.environment().putAll(Map.of("KUBERNETES_MASTER", client.getMasterUrl().toString(), "KUBERNETES_AUTH_TRYKUBECONFIG", "false",
                    "KUBERNETES_AUTH_TRYSERVICEACCOUNT", "false", "VSPAM_OPERATOR_LEADER_ELECTION", "false",
                    "VSPAM_OPERATOR_AGENT_IMAGE", Fixtures.IMAGE,
                    "MICRONAUT_SERVER_NETTY_LISTENERS_HTTP_PORT", String.valueOf(Fixtures.freePort()),
                    "MICRONAUT_SERVER_NETTY_LISTENERS_WEBHOOK_PORT", String.valueOf(Fixtures.freePort()),
                    "MALLOC_ARENA_MAX", "2")); // as the image sets it
            long started = System.nanoTime();
            Process operator = builder.start();
            try {
                long readyAt = waitUntilReady(client, agents, operator, Duration.ofMinutes(10));
                double seconds = (readyAt - started) / 1e9;
                System.out.printf("all %d Ready %.1f s after the operator started (%.1f resources/s)%n", agents, seconds, agents / seconds);
                System.out.printf("operator resident memory once all were Ready: %d MiB%n", residentMib(operator));
                drain(server);
                long idleEnd = System.nanoTime() + idle.toNanos();
                List<String> writes = new ArrayList<>();
                int reads = 0;
                while (System.nanoTime() < idleEnd) {
                    RecordedRequest request = server.takeRequest(200, TimeUnit.MILLISECONDS);
                    if (request != null) {
                        if (request.getMethod().equals("GET")) {
                            reads++;
                        } else {
                            writes.add(request.getMethod() + " " + request.getPath());
                        }
                    }
                }
                System.out.printf("idle %d s after: %d writes, %d reads (%.1f reads/s); resident %d MiB%n", idle.toSeconds(), writes.size(), reads,
                        reads / (double) idle.toSeconds(), residentMib(operator));
                writes.stream().limit(10).forEach(write -> System.out.println("  write: " + write));
            } finally {
                operator.destroy();
                operator.waitFor(30, TimeUnit.SECONDS);
                System.out.println("operator log: " + log);
            }
        } finally {
            server.destroy();
        }
    }

    private static long waitUntilReady(KubernetesClient client, int agents, Process operator, Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline && operator.isAlive()) {
            long ready = client.resources(VspamAgent.class).inNamespace(NAMESPACE).list().getItems().stream()
                    .filter(agent -> agent.getStatus() != null && agent.getStatus().conditions != null && agent.getStatus().conditions.stream()
                            .anyMatch(c -> c.getType().equals("Ready") && c.getStatus().equals("True")))
                    .count();
            if (ready == agents) {
                return System.nanoTime();
            }
            operator.waitFor(250, TimeUnit.MILLISECONDS); // polls, and ends early if the operator dies
        }
        throw new IllegalStateException("not all VspamAgents were Ready within " + limit + (operator.isAlive() ? "" : " (the operator exited)"));
    }

    private static void drain(KubernetesMockServer server) throws InterruptedException {
        while (server.takeRequest(0, TimeUnit.SECONDS) != null) {
            // the requests so far are not the operator's idle ones
        }
    }

    private static long residentMib(Process process) throws java.io.IOException {
        return Files.readAllLines(Path.of("/proc/" + process.pid() + "/status")).stream().filter(line -> line.startsWith("VmRSS:"))
                .mapToLong(line -> Long.parseLong(line.replaceAll("\\D", ""))).findFirst().orElse(0) / 1024;
    }
}
