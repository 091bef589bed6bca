package org.vspam.images;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.vspam.agent.testing.BusyCores;
import org.vspam.agent.testing.Commands;
import org.vspam.agent.testing.FakeVspamApi;
import org.vspam.agent.testing.PolicyClient;
import org.vspam.agent.testing.Ports;
import org.vspam.agent.testing.PostfixInstance;
import org.vspam.agent.testing.TestPki;
import org.vspam.agent.testing.ThreatFixtures;
import org.vspam.config.Setting;
import org.vspam.operator.customresource.SecretKeyRef;
import org.vspam.operator.customresource.VspamAgent;
import org.vspam.operator.plan.AgentContainer;
import org.vspam.operator.plan.AgentPlan;
import org.vspam.operator.plan.AgentPlanner;
import org.vspam.operator.plan.OperatorDefaults;

/**
 * The agent image, run by runc as the kubelet runs the containers the operator renders: beside the
 * host's real Postfix on the shared socket, and as the shared Deployment configured by environment
 * only. The vspam.org API is the fake one, over HTTPS, under a host name the container's /etc/hosts
 * knows (as a cluster's DNS would).
 */
@Timeout(300)
class AgentImageIT {
    private static final String API_HOST = "api.vspam.test";
    private static final String API_KEY = "vspam_image_test_key_never_shown";
    /** A sidecar's limit in the README's figures: the image's own flags, both compilers, must live within it. */
    private static final long MEMORY_LIMIT = 96L << 20;
    /** The operator's default limit for the shared Deployment (and the sidecars). */
    private static final long DEFAULT_LIMIT = 256L << 20;
    private static TestPki pki;
    private static FakeVspamApi api;
    private static Path work;

    @BeforeAll
    static void startApi() throws IOException {
        pki = TestPki.create("vspam image test CA");
        api = FakeVspamApi.https(pki.issue(API_HOST));
        // Postfix's uid reaches the shared socket's directory through it; Kubernetes' emptyDirs are open likewise.
        work = Files.createTempDirectory(Path.of("/var/tmp"), "vspam-images-");
        Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    @AfterAll
    static void stopApi() throws Exception {
        api.close();
        Commands.run(List.of("rm", "-rf", work.toString()));
    }

    @Test
    void besidePostfixTheSidecarAnswersOnTheSharedSocketWithinItsMemoryLimitAndStopsCleanly() throws Exception {
        VspamAgent resource = new VspamAgent();
        resource.setMetadata(new ObjectMetaBuilder().withNamespace("mail").withName("vspam").withGeneration(1L).build());
        resource.getSpec().apiUrl = "https://" + API_HOST + ":" + api.baseUrl().getPort();
        resource.getSpec().apiKeySecretRef = new SecretKeyRef("vspam-key", "api-key");
        resource.getSpec().dnsbl.enabled = false;
        resource.getSpec().milter.enabled = true;
        AgentPlan plan = new AgentPlanner(new OperatorDefaults("unused", null, null)).plan(resource, name -> Optional.of(
                new SecretBuilder().withNewMetadata().withName(name).endMetadata()
                        .withData(Map.of("api-key", Base64.getEncoder().encodeToString(API_KEY.getBytes(StandardCharsets.UTF_8)))).build()));
        assertThat(plan.configProblem()).isEmpty();
        Container sidecar = AgentContainer.container(plan, true).build();

        Path shared = emptyDir("socket");
        Path config = emptyDir("config");
        Files.writeString(config.resolve("agent.yml"), plan.agentYaml());
        Path ca = pki.writeCa(emptyDir("ca").resolve("ca.pem"));
        int httpPort = Ports.freeTcpPort();
        int metricsPort = Ports.freeTcpPort();
        RuncContainer.Builder container = RuncContainer.of(OciImage.agent())
                .kubernetes(sidecar, Map.of(
                        AgentContainer.CONFIG_VOLUME, config,
                        AgentContainer.CACHE_VOLUME, emptyDir("cache"),
                        AgentContainer.TMP_VOLUME, emptyDir("tmp"),
                        AgentContainer.SOCKET_VOLUME, shared), Map.of(Setting.API_KEY.environmentVariable(), API_KEY))
                // The pod's own network has the port to itself; here the host's is shared with the other tests.
                .env(Map.of(Setting.HTTP_LISTEN.environmentVariable(), "127.0.0.1:" + httpPort,
                        Setting.METRICS_LISTEN.environmentVariable(), "127.0.0.1:" + metricsPort,
                        Setting.API_CA_FILE.environmentVariable(), "/etc/vspam-ca/ca.pem"))
                .bind(ca.getParent(), "/etc/vspam-ca", true)
                .host("127.0.0.1", API_HOST)
                .memoryLimit(MEMORY_LIMIT);
        Path socket = shared.resolve("agent.sock");
        try (RuncContainer agent = container.start(work)) {
            await("the sidecar ready").atMost(Duration.ofSeconds(60)).until(() -> agent.log().contains(" ready: policy ") || !agent.running());
            assertThat(agent.running()).as("%s exit %s", agent.log(), agent.running() ? "-" : agent.exitStatus()).isTrue();

            // the operator's socket_mode: Postfix's uid connects
            assertThat(Files.getPosixFilePermissions(socket)).as("socket mode")
                    .contains(PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE);
            Path milter = shared.resolve("milter.sock");
            try (PostfixInstance postfix = PostfixInstance.start("unix:" + socket,
                    "smtpd_milters = unix:" + milter + "\nmilter_protocol = 6\nmilter_default_action = accept\n")) {
                assertThat(postfix.rcpt("user@" + ThreatFixtures.PHISH, "192.0.2.10")).contains("<** 550");
                assertThat(postfix.rcpt("user@example.com", "192.0.2.11")).contains("<-  250 2.1.5");
                // the milter on the same shared directory: a link to a listed host is refused at the end of DATA
                Path message = Files.writeString(work.resolve("phish.eml"), "From: <user@example.com>\nSubject: verify\n\n"
                        + "Sign in at https://" + ThreatFixtures.PHISH + "/login\n");
                assertThat(postfix.sendMessage("user@example.com", "192.0.2.12", message)).contains("<** 550 5.7.1");
            }
            assertThat(get(metricsPort, "/health").statusCode()).as("health on metrics_listen, as the probes ask it").isEqualTo(200);
            assertThat(get(httpPort, "/check?sender_domain=" + ThreatFixtures.PHISH).body()).contains("\"malicious\":true");
            // the image's AOT cache is mapped: the JVM accepted it (its jar, runtime and flags match)
            assertThat(Files.readString(Path.of("/proc/" + agent.pid() + "/maps"))).contains("/usr/lib/vspam-agent/vspam-agent.aot");

            // as on a shared CI machine: both cores kept busy by other work while the sidecar is loaded
            long answered;
            try (BusyCores busy = BusyCores.start(2)) {
                answered = load(() -> PolicyClient.unix(socket), 8, 20_000);
            }
            assertThat(answered).isEqualTo(8 * 20_000);
            assertThat(agent.running()).as("alive under its %d MiB limit after the load beside busy cores", MEMORY_LIMIT >> 20).isTrue();

            agent.signal("TERM");
            assertThat(agent.exitStatus()).as(agent.log()).isZero();
            assertThat(socket).doesNotExist();
            assertThat(agent.log()).doesNotContain(API_KEY).doesNotContain("ERROR").doesNotContain("WARN");
        }
    }

    @Test
    void asTheSharedDeploymentItIsConfiguredByEnvironmentOnlyOverTcpAndHttp() throws Exception {
        int policyPort = Ports.freeTcpPort();
        int httpPort = Ports.freeTcpPort();
        int metricsPort = Ports.freeTcpPort();
        Path ca = pki.writeCa(emptyDir("deployment-ca").resolve("ca.pem"));
        Map<String, String> env = new HashMap<>(AgentContainer.DEPLOYMENT_ENV);
        env.putAll(Map.of(
                Setting.LISTEN.environmentVariable(), "tcp://127.0.0.1:" + policyPort,
                Setting.HTTP_LISTEN.environmentVariable(), "127.0.0.1:" + httpPort,
                Setting.METRICS_LISTEN.environmentVariable(), "127.0.0.1:" + metricsPort,
                Setting.API_URL.environmentVariable(), "https://" + API_HOST + ":" + api.baseUrl().getPort(),
                Setting.API_KEY.environmentVariable(), API_KEY,
                Setting.API_CA_FILE.environmentVariable(), "/etc/vspam-ca/ca.pem",
                Setting.DNSBL_ENABLED.environmentVariable(), "false",
                Setting.CACHE_PATH.environmentVariable(), "",
                // where each class came from, written outside the container (a log flag leaves the AOT cache usable)
                "JDK_JAVA_OPTIONS", "-Xlog:class+load=info:file=/var/log/vspam-classes/loaded.txt::filecount=0"));
        Path classLog = emptyDir("classes");
        try (RuncContainer agent = RuncContainer.of(OciImage.agent()).env(env).bind(ca.getParent(), "/etc/vspam-ca", true)
                .bind(classLog, "/var/log/vspam-classes", false)
                .host("127.0.0.1", API_HOST).memoryLimit(DEFAULT_LIMIT).start(work)) {
            await("the agent ready").atMost(Duration.ofSeconds(60)).until(() -> agent.log().contains(" ready: policy ") || !agent.running());
            try (PolicyClient client = PolicyClient.tcp(policyPort)) {
                assertThat(client.ask("user@" + ThreatFixtures.PHISH, "192.0.2.20")).startsWith("action=550");
                assertThat(client.ask("user@example.com", "192.0.2.21")).startsWith("action=DUNNO");
            }
            HttpResponse<String> check = get(httpPort, "/check?sender_domain=" + ThreatFixtures.PHISH + "&client_ip=192.0.2.1");
            assertThat(check.statusCode()).isEqualTo(200);
            assertThat(check.body()).contains("\"malicious\":true").contains("\"action\":\"reject\"");
            assertThat(get(metricsPort, "/metrics").body()).contains("vspam_");
            assertThat(load(() -> PolicyClient.tcp(policyPort), 8, 20_000)).isEqualTo(8 * 20_000);
            assertThat(agent.running()).as("alive under its %d MiB limit after the load", DEFAULT_LIMIT >> 20).isTrue();
            // the command line is read from the AOT cache like the rest: picocli's released jar targets Java 5,
            // whose classes the JVM leaves out of the cache, so the build compiles it for this release
            assertThat(Files.readAllLines(classLog.resolve("loaded.txt")))
                    .filteredOn(line -> line.contains(" picocli.CommandLine "))
                    .singleElement().asString().endsWith("source: shared objects file");
            agent.signal("TERM");
            assertThat(agent.exitStatus()).as(agent.log()).isZero();
            assertThat(agent.log()).doesNotContain(API_KEY);
        }
    }

    @Test
    void theImageHoldsNoShellAndNoProgramButTheJavaRuntimesAndRunsAsTheNonrootUser() throws Exception {
        OciImage image = OciImage.agent();
        List<OciImage.LayerFile> files = image.layerFiles();
        assertThat(files).extracting(OciImage.LayerFile::path).doesNotContain("/bin/sh", "/bin", "/usr/bin", "/sbin", "/usr/sbin");
        List<String> programs = files.stream().filter(file -> file.mode().startsWith("-") && file.mode().contains("x"))
                .map(OciImage.LayerFile::path).filter(path -> !path.contains(".so")).toList();
        assertThat(programs).as("the only programs: the runtime's own").isNotEmpty()
                .allMatch(path -> path.startsWith("/usr/lib/vspam-agent/runtime/"));
        assertThat(files).as("nothing but the volumes writable by others")
                .filteredOn(file -> file.mode().charAt(8) == 'w').extracting(OciImage.LayerFile::path).containsExactly("/tmp");
        assertThat(image.configuration().get("User").asText()).isEqualTo("65532:65532");
        assertThat(Files.readString(image.rootfs().resolve("etc/passwd"))).contains("nonroot:x:65532:65532:");
        assertThat(image.configuration().get("Labels").get("org.opencontainers.image.licenses").asText()).isEqualTo("AGPL-3.0-only");
    }

    private static Path emptyDir(String name) throws IOException {
        Path dir = Files.createDirectories(work.resolve(name));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
        return dir;
    }

    private static HttpResponse<String> get(int port, String path) throws IOException, InterruptedException {
        try (HttpClient client = HttpClient.newHttpClient()) {
            return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                    HttpResponse.BodyHandlers.ofString());
        }
    }

    private interface Connector {
        PolicyClient connect() throws IOException;
    }

    /** {@code connections} clients each asking {@code requests} times, a tenth of them for a listed sender. */
    private static long load(Connector connector, int connections, int requests) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(connections);
        try {
            List<Future<Integer>> answered = new ArrayList<>();
            for (int c = 0; c < connections; c++) {
                answered.add(pool.submit(() -> {
                    int answers = 0;
                    try (PolicyClient client = connector.connect()) {
                        for (int i = 0; i < requests; i++) {
                            String sender = i % 10 == 0 ? "user@" + ThreatFixtures.PHISH : "user" + i + "@example.com";
                            if (client.ask(sender, "192.0.2." + (i % 200 + 1)).startsWith("action=")) {
                                answers++;
                            }
                        }
                    }
                    return answers;
                }));
            }
            long total = 0;
            for (Future<Integer> future : answered) {
                total += future.get();
            }
            return total;
        } finally {
            pool.shutdownNow();
        }
    }
}
