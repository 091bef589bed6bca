package org.vspam.images;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.vspam.agent.testing.Commands;
import org.vspam.agent.testing.FakeVspamApi;
import org.vspam.agent.testing.MilterClient;
import org.vspam.agent.testing.PolicyClient;
import org.vspam.agent.testing.Ports;
import org.vspam.agent.testing.ThreatFixtures;
import org.vspam.agent.testing.Tools;
import org.vspam.config.Setting;
import org.vspam.operator.plan.AgentContainer;
import org.vspam.operator.webhook.OperatorScenario;
import org.yaml.snakeyaml.Yaml;

/**
 * The Grafana dashboard and the alert rules the chart ships (charts/vspam-operator/monitoring/, copied
 * to deploy/monitoring/), against Debian's real Prometheus: {@code promtool} checks the rules and runs
 * their unit tests, and a Prometheus server scraping the agent image and the operator image (on the mock
 * API server) evaluates every dashboard query and every alert. A metric renamed or gone fails here.
 */
@EnableKubernetesMockClient(crud = true)
@Timeout(300)
class MonitoringIT {
    private static final Path MONITORING = Path.of("../charts/vspam-operator/monitoring");
    /** Every metric name the rules and the dashboard use. */
    private static final Pattern METRIC = Pattern.compile("\\b(vspam_[a-z_]+|operator_sdk_[a-z_]+|jvm_[a-z_]+|process_[a-z_]+|up)\\b");
    static KubernetesClient client;
    private static Path work;

    @BeforeAll
    static void workDirectory() throws IOException {
        Tools.require("promtool", "apt-get install prometheus");
        work = Files.createTempDirectory(Path.of("/var/tmp"), "vspam-monitoring-");
        Files.copy(MONITORING.resolve("vspam-rules.yaml"), work.resolve("vspam-rules.yaml"), StandardCopyOption.REPLACE_EXISTING);
    }

    @AfterAll
    static void removeWorkDirectory() throws Exception {
        Commands.run(List.of("rm", "-rf", work.toString()));
    }

    @Test
    void theRulesAreCleanAndEveryAlertHasAUnitTestThatFiresItAndOneThatDoesNot() throws Exception {
        Path tests = work.resolve("vspam-rules-test.yaml");
        try (var in = MonitoringIT.class.getResourceAsStream("/monitoring/vspam-rules-test.yaml")) {
            Files.copy(in, tests, StandardCopyOption.REPLACE_EXISTING);
        }
        assertThat(Commands.run(List.of("promtool", "check", "rules", work.resolve("vspam-rules.yaml").toString()))).contains("SUCCESS");
        assertThat(Commands.run(List.of("promtool", "test", "rules", tests.toString()))).contains("SUCCESS");

        Map<String, Object> unitTests = new Yaml().load(Files.readString(tests));
        Set<String> fired = new LinkedHashSet<>();
        Set<String> silent = new LinkedHashSet<>();
        for (Map<String, Object> test : list(unitTests.get("tests"))) {
            for (Map<String, Object> check : list(test.get("alert_rule_test"))) {
                (list(check.get("exp_alerts")).isEmpty() ? silent : fired).add((String) check.get("alertname"));
            }
        }
        assertThat(fired).as("alerts a unit test fires").containsExactlyInAnyOrderElementsOf(alerts().keySet());
        assertThat(silent).as("alerts a unit test keeps silent").containsExactlyInAnyOrderElementsOf(alerts().keySet());
    }

    @Test
    void aRealPrometheusScrapingTheImagesEvaluatesEveryDashboardQueryAndEveryAlert() throws Exception {
        Tools.require("prometheus", "apt-get install prometheus");
        OperatorScenario.Started operator = OperatorScenario.startedAndReady(client, OperatorImageIT.inRunc(work));
        int policyPort = Ports.freeTcpPort();
        int agentHttpPort = Ports.freeTcpPort();
        int agentMetricsPort = Ports.freeTcpPort();
        int prometheusPort = Ports.freeTcpPort();
        int milterPort = Ports.freeTcpPort();
        Map<String, String> env = new HashMap<>(AgentContainer.DEPLOYMENT_ENV);
        try (FakeVspamApi api = new FakeVspamApi()) {
            env.putAll(Map.of(
                    Setting.LISTEN.environmentVariable(), "tcp://127.0.0.1:" + policyPort,
                    Setting.HTTP_LISTEN.environmentVariable(), "127.0.0.1:" + agentHttpPort,
                    Setting.METRICS_LISTEN.environmentVariable(), "127.0.0.1:" + agentMetricsPort,
                    Setting.API_URL.environmentVariable(), api.baseUrl().toString(),
                    Setting.API_KEY.environmentVariable(), "vspam_monitoring_test_key",
                    Setting.DNSBL_ENABLED.environmentVariable(), "false",
                    Setting.CACHE_PATH.environmentVariable(), "",
                    Setting.MILTER_LISTEN.environmentVariable(), "tcp://127.0.0.1:" + milterPort));
            Path config = Files.writeString(work.resolve("prometheus.yml"), """
                    global:
                      scrape_interval: 1s
                      evaluation_interval: 1s
                    rule_files: [vspam-rules.yaml]
                    scrape_configs:
                      # the job names the operator's ServiceMonitor and PodMonitor and the chart's give the targets
                      - job_name: vspam-agent
                        static_configs: [{targets: ["127.0.0.1:%d"]}]
                      - job_name: vspam-operator
                        metrics_path: /prometheus
                        static_configs: [{targets: ["127.0.0.1:%d"]}]
                    """.formatted(agentMetricsPort, operator.httpPort()));
            try (RuncContainer agent = RuncContainer.of(OciImage.agent()).env(env).start(work)) {
                Process prometheus = new ProcessBuilder("prometheus", "--config.file=" + config, "--storage.tsdb.path=" + work.resolve("tsdb"),
                        "--web.listen-address=127.0.0.1:" + prometheusPort).redirectErrorStream(true)
                        .redirectOutput(work.resolve("prometheus.log").toFile()).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                        .start();
                try (HttpClient http = HttpClient.newHttpClient()) {
                    await("the agent ready").atMost(Duration.ofSeconds(60)).until(() -> agent.log().contains(" ready: policy "));
                    try (PolicyClient postfix = PolicyClient.tcp(policyPort)) {
                        for (int i = 0; i < 200; i++) {
                            postfix.ask(i % 4 == 0 ? "user@" + ThreatFixtures.PHISH : "user@sender" + i + ".example.com", "192.0.2." + (i % 250 + 1));
                        }
                    }
                    try (MilterClient cleanup = MilterClient.tcp(milterPort)) {
                        cleanup.connect(ThreatFixtures.CLEAN_IP);
                        for (int i = 0; i < 20; i++) {
                            cleanup.message("user@sender" + i + ".example.com", "text/plain",
                                    ("See https://link" + i + ".example.com/ and https://" + ThreatFixtures.PHISH + "/\r\n").getBytes(StandardCharsets.UTF_8),
                                    1024);
                        }
                    }
                    Prometheus server = new Prometheus(http, prometheusPort);
                    await("both targets scraped").atMost(Duration.ofSeconds(60)).ignoreExceptions()
                            .until(() -> server.query("sum(up{job=~\"vspam.*\"})").get(0).get("value").get(1).asDouble() == 2);

                    List<String> queries = dashboardQueries();
                    assertThat(queries).hasSizeGreaterThan(15);
                    for (String query : queries) {
                        // rates need two scrapes of the window; everything else answers at once
                        await(query).atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> !server.query(query).isEmpty());
                    }

                    Map<String, String> alerts = alerts();
                    await("every rule evaluated").atMost(Duration.ofSeconds(30)).until(() -> evaluated(server.rules()) == alerts.size());
                    for (JsonNode rule : server.rules()) {
                        assertThat(rule.get("health").asText()).as(rule.get("name") + ": " + rule.get("lastError")).isEqualTo("ok");
                    }
                    Set<String> metrics = new LinkedHashSet<>();
                    alerts.values().forEach(expr -> metrics.addAll(metricNames(expr)));
                    queries.forEach(query -> metrics.addAll(metricNames(query)));
                    for (String metric : metrics) {
                        assertThat(server.query("count({__name__=\"" + metric + "\"})")).as(metric + " is exported").isNotEmpty();
                    }
                    assertThat(server.query("ALERTS{alertstate=\"firing\"}")).as("a healthy agent and operator fire nothing").isEmpty();
                } finally {
                    prometheus.destroy();
                    operator.operator().stop();
                }
            }
        }
    }

    private static long evaluated(List<JsonNode> rules) {
        return rules.stream().filter(rule -> !rule.get("lastEvaluation").asText().startsWith("0001-")).count();
    }

    /** The dashboard's queries, with its variables as "All" and Grafana's rate interval as a minute. */
    private static List<String> dashboardQueries() throws IOException {
        JsonNode dashboard = OciImage.JSON.readTree(MONITORING.resolve("vspam-dashboard.json").toFile());
        List<String> queries = new ArrayList<>();
        for (JsonNode panel : dashboard.get("panels")) {
            if (panel.has("targets")) {
                for (JsonNode target : panel.get("targets")) {
                    queries.add(target.get("expr").asText().replace("$namespace", ".*").replace("$pod", ".*")
                            .replace("$operator_job", "vspam-operator.*").replace("$__rate_interval", "1m"));
                }
            }
        }
        return queries;
    }

    /** Alert name to expression, from the rules file. */
    private static Map<String, String> alerts() throws IOException {
        Map<String, Object> rules = new Yaml().load(Files.readString(MONITORING.resolve("vspam-rules.yaml")));
        Map<String, String> alerts = new java.util.LinkedHashMap<>();
        for (Map<String, Object> group : list(rules.get("groups"))) {
            for (Map<String, Object> rule : list(group.get("rules"))) {
                alerts.put((String) rule.get("alert"), (String) rule.get("expr"));
            }
        }
        return alerts;
    }

    private static Set<String> metricNames(String expression) {
        Set<String> names = new LinkedHashSet<>();
        Matcher matcher = METRIC.matcher(expression);
        while (matcher.find()) {
            names.add(matcher.group(1));
        }
        return names;
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> list(Object value) {
        return value == null ? List.of() : (List<Map<String, Object>>) value;
    }

    /** Prometheus's HTTP API. */
    private record Prometheus(HttpClient http, int port) {
        /** The result vector of an instant query; a query Prometheus refuses fails. */
        List<JsonNode> query(String query) throws IOException, InterruptedException {
            JsonNode answer = get("/api/v1/query?query=" + URLEncoder.encode(query, StandardCharsets.UTF_8));
            assertThat(answer.get("status").asText()).as(query + ": " + answer.get("error")).isEqualTo("success");
            List<JsonNode> result = new ArrayList<>();
            answer.get("data").get("result").forEach(result::add);
            return result;
        }

        List<JsonNode> rules() throws IOException, InterruptedException {
            List<JsonNode> rules = new ArrayList<>();
            get("/api/v1/rules").get("data").get("groups").forEach(group -> group.get("rules").forEach(rules::add));
            return rules;
        }

        private JsonNode get(String path) throws IOException, InterruptedException {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return OciImage.JSON.readTree(response.body());
        }
    }
}
