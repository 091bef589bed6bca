package org.vspam.packaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.vspam.packaging.Packages.deb;
import static org.vspam.packaging.Packages.ok;
import static org.vspam.packaging.Packages.run;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.vspam.agent.testing.FakeVspamApi;
import org.vspam.agent.testing.NotifySocket;
import org.vspam.agent.testing.PolicyClient;
import org.vspam.agent.testing.TestPki;
import org.vspam.agent.testing.ThreatFixtures;
import org.vspam.agent.testing.Tools;

/**
 * The .deb installed for real on this machine ({@code dpkg -i}), as the README's and docs/packages.md's "Install on a
 * server" does it, then upgraded, removed and purged. systemd does not run here, so the service is
 * started the way its unit says: the unit's {@code ExecStart} as its {@code User}, with its
 * environment files and a notify socket, on the packaged configuration with the HTTP API on and
 * the API pointed at a stand-in for vspam.org.
 */
@Timeout(600)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DebianPackageIT {
    private static final String UNIT = "/lib/systemd/system/vspam-agent.service";
    private static final Path CONFIG = Path.of("/etc/vspam/agent.yml");
    private static final String EDIT = "# edited by the administrator\nlog_level: debug\n";
    /** The test's own files that the vspam user reads (its CA, the notify socket); removed at the end. */
    private static final Path TEST_FILES = Path.of("/run/vspam-install-test");

    @TempDir
    static Path dir;

    @BeforeAll
    static void onlyOnAMachineWithoutTheAgent() throws Exception {
        assertThat(ProcessHandle.current().info().user()).as("dpkg -i needs root").hasValue("root");
        Tools.require("dpkg", "a Debian machine");
        assertThat(run("dpkg-query", "-W", "-f=${Status}", "vspam-agent").output())
                .as("vspam-agent is already installed here; this test installs and purges its own")
                .doesNotContain("installed");
    }

    @AfterAll
    static void purge() throws Exception {
        run("dpkg", "--purge", "vspam-agent");
        run("rm", "-rf", TEST_FILES.toString(), "/run/vspam");
    }

    @Test
    @Order(1)
    void lintianReportsNoErrors() throws Exception {
        Tools.require("lintian", "apt-get install lintian");
        Packages.Result lintian = run("lintian", "--tag-display-limit", "0", deb().toString());
        System.out.println("lintian " + deb().getFileName() + ":\n" + lintian.output());
        assertThat(lintian.output().lines().filter(line -> line.startsWith("E: "))).isEmpty();
        assertThat(lintian.status()).isZero();
    }

    @Test
    @Order(2)
    void installsItsFilesWithTheirOwnersAndModes() throws Exception {
        ok("dpkg", "-i", deb().toString());

        assertThat(ok("getent", "passwd", "vspam")).matches("vspam:x:\\d+:\\d+:vspam agent(,,,)?:/nonexistent:/usr/sbin/nologin\\n");
        assertThat(ok("getent", "group", "vspam")).startsWith("vspam:x:");
        assertThat(Files.exists(Path.of("/nonexistent"))).isFalse();

        Map<String, String> expected = new LinkedHashMap<>();
        expected.put("/usr/bin/vspam-agent", "root root 777 symbolic link -> ../lib/vspam-agent/vspam-agent");
        expected.put("/usr/lib/vspam-agent/vspam-agent", "root root 755 regular file");
        expected.put("/usr/lib/vspam-agent/vspam-agent.jar", "root root 644 regular file");
        expected.put("/usr/lib/vspam-agent/jvm.options", "root root 644 regular file");
        expected.put("/usr/lib/vspam-agent/vspam-agent.aot", "root root 644 regular file");
        expected.put("/usr/lib/vspam-agent/runtime/bin/java", "root root 755 regular file");
        expected.put(UNIT, "root root 644 regular file");
        expected.put("/etc/vspam", "root vspam 750 directory");
        expected.put("/etc/vspam/agent.yml", "root vspam 640 regular file");
        expected.put("/etc/default/vspam-agent", "root root 600 regular file");
        expected.put("/var/lib/vspam", "vspam vspam 750 directory");
        for (Map.Entry<String, String> file : expected.entrySet()) {
            String stat = ok("stat", "-c", "%U %G %a %F", file.getKey()).strip();
            if (stat.endsWith("symbolic link")) {
                stat += " -> " + Files.readSymbolicLink(Path.of(file.getKey()));
            }
            assertThat(stat).as(file.getKey()).isEqualTo(file.getValue());
        }
        // The image's JVM flags, byte for byte.
        assertThat(Path.of("/usr/lib/vspam-agent/jvm.options")).hasSameTextualContentAs(Packages.SOURCES.resolve("../images/agent.jvm.options"));
        assertThat(ok("dpkg-query", "-W", "-f=${Conffiles}", "vspam-agent")).contains("/etc/vspam/agent.yml", "/etc/default/vspam-agent");
        // Enabled as Debian enables its daemons; systemd starts it at the next boot.
        assertThat(Path.of("/etc/systemd/system/multi-user.target.wants/vspam-agent.service")).isSymbolicLink();
    }

    @Test
    @Order(3)
    void theLauncherTakesTheJarsArguments() throws Exception {
        assertThat(ok("/usr/bin/vspam-agent", "--version").strip()).isEqualTo("vspam-agent " + Packages.VERSION);
        // The AOT cache recorded at build time fits the installed runtime, jar and flags: with
        // AOTMode=on the JVM refuses to start rather than run without it.
        assertThat(ok("env", "JAVA_OPTS=-XX:AOTMode=on", "/usr/bin/vspam-agent", "--version").strip())
                .isEqualTo("vspam-agent " + Packages.VERSION);
        Packages.Result mistake = run("/usr/bin/vspam-agent", "--config", "/no/such.yml", "serve");
        assertThat(mistake.status()).isEqualTo(78);
        assertThat(mistake.output()).contains("/no/such.yml");
    }

    @Test
    @Order(4)
    void theUnitIsCleanAndHardened() throws Exception {
        Tools.require("systemd-analyze", "apt-get install systemd");
        assertThat(run("systemd-analyze", "verify", UNIT).output()).isEmpty();
        String security = ok("systemd-analyze", "security", "--offline=yes", "--no-pager", UNIT);
        Matcher overall = Pattern.compile("Overall exposure level for vspam-agent.service: (\\d+\\.\\d) (\\w+)").matcher(security);
        assertThat(overall.find()).as(security).isTrue();
        System.out.println("systemd-analyze security: " + overall.group(1) + " " + overall.group(2));
        assertThat(Double.parseDouble(overall.group(1))).isLessThan(2.0);
        assertThat(overall.group(2)).isEqualTo("OK");
    }

    @Test
    @Order(5)
    void theServiceAnswersPostfixAsTheUnitRunsIt() throws Exception {
        TestPki pki = TestPki.create("vspam install test CA");
        try (FakeVspamApi api = FakeVspamApi.https(pki.issue("localhost"))) {
            Files.createDirectories(TEST_FILES);
            Files.setPosixFilePermissions(TEST_FILES, PosixFilePermissions.fromString("rwxr-xr-x"));
            Path ca = pki.writeCa(TEST_FILES.resolve("ca.pem"));
            Files.setPosixFilePermissions(ca, PosixFilePermissions.fromString("rw-r--r--"));
            // What an administrator (or the Ansible role) changes: the HTTP API on, and here the API's address.
            Files.writeString(CONFIG, """

                    # set by the install test
                    http_enabled: true
                    api_url: %s
                    api_ca_file: %s
                    """.formatted(api.baseUrl(), ca), StandardOpenOption.APPEND);

            try (Service service = Service.start(dir)) {
                long started = System.nanoTime();
                await("READY=1").atMost(Duration.ofSeconds(60)).until(() -> service.systemd.told("READY=1") || !service.process.isAlive());
                long ready = System.nanoTime();
                assertThat(service.process.isAlive()).as(service.log()).isTrue();
                String refused;
                try (PolicyClient postfix = PolicyClient.tcp(10045)) {
                    refused = postfix.ask("alice@" + ThreatFixtures.PHISH, "192.0.2.1");
                    long firstAnswer = System.nanoTime();
                    System.out.printf("packaged agent: READY=1 %d ms after start, first answer after %d ms%n",
                            (ready - started) / 1_000_000, (firstAnswer - started) / 1_000_000);
                    assertThat(postfix.ask("bob@" + ThreatFixtures.CLEAN, ThreatFixtures.CLEAN_IP)).isEqualTo("action=DUNNO");
                }
                assertThat(refused).isEqualTo("action=550 Message rejected: sender listed in vspam.org (phishing)");

                HttpResponse<String> health = HttpClient.newHttpClient().send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:10046/health")).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(health.statusCode()).isEqualTo(200);
                assertThat(health.body()).contains("\"status\":\"ok\"");

                ProcessHandle java = service.java();
                assertThat(ok("ps", "-o", "user=", "-p", Long.toString(java.pid())).strip()).isEqualTo("vspam");
                System.out.println("packaged agent: resident " + residentKib(java) / 1024 + " MiB after its first answers");

                service.stop(java);
                assertThat(service.process.exitValue()).as(service.log()).isZero();
                assertThat(service.systemd.told("STOPPING=1")).isTrue();
            }
            // The cache was saved where the unit's StateDirectory is, by the vspam user.
            assertThat(ok("stat", "-c", "%U", "/var/lib/vspam/cache.db").strip()).isEqualTo("vspam");
        }
    }

    @Test
    @Order(6)
    void anUpgradeKeepsTheEditedConfiguration() throws Exception {
        Files.writeString(CONFIG, EDIT, StandardOpenOption.APPEND);
        String edited = Files.readString(CONFIG);
        String newer = Packages.PACKAGE_VERSION + "+1";
        assertThat(run("dpkg", "--compare-versions", newer, "gt", Packages.PACKAGE_VERSION).status()).isZero();
        Path rebuilt = rebuild(newer);

        ok("dpkg", "-i", rebuilt.toString());

        assertThat(ok("dpkg-query", "-W", "-f=${Version}", "vspam-agent")).isEqualTo(newer);
        assertThat(Files.readString(CONFIG)).isEqualTo(edited);
        assertThat(ok("stat", "-c", "%U %G %a", CONFIG.toString()).strip()).isEqualTo("root vspam 640");
        assertThat(ok("stat", "-c", "%U %G %a", "/var/lib/vspam").strip()).isEqualTo("vspam vspam 750");
        assertThat(Path.of("/var/lib/vspam/cache.db")).exists();
        // The upgrade restarts a running service (systemd is not running here, so this is read, not seen).
        assertThat(Files.readString(Path.of("/var/lib/dpkg/info/vspam-agent.postinst"))).contains("deb-systemd-invoke restart vspam-agent.service");
    }

    @Test
    @Order(7)
    void removeKeepsTheConfigurationAndPurgeRemovesTheRest() throws Exception {
        ok("dpkg", "--remove", "vspam-agent");
        assertThat(Path.of("/usr/bin/vspam-agent")).doesNotExist();
        assertThat(Files.readString(CONFIG)).contains(EDIT);
        assertThat(run("getent", "passwd", "vspam").status()).isZero();

        ok("dpkg", "--purge", "vspam-agent");
        assertThat(Path.of("/var/lib/vspam")).doesNotExist();
        assertThat(CONFIG).doesNotExist();
        assertThat(Path.of("/etc/vspam")).doesNotExist();
        assertThat(run("getent", "passwd", "vspam").status()).isEqualTo(2);
        assertThat(run("getent", "group", "vspam").status()).isEqualTo(2);
        assertThat(ok("dpkg-statoverride", "--list")).doesNotContain("vspam");
        assertThat(Path.of("/etc/systemd/system/multi-user.target.wants/vspam-agent.service")).doesNotExist();
    }

    /** The same package with a higher version: what an upgrade from the repository installs. */
    private static Path rebuild(String version) throws IOException, InterruptedException {
        Path tree = dir.resolve("rebuilt");
        ok("dpkg-deb", "-R", deb().toString(), tree.toString());
        Path control = tree.resolve("DEBIAN/control");
        Files.writeString(control, Files.readString(control).replaceFirst("(?m)^Version: .*$", "Version: " + version));
        Path rebuilt = dir.resolve("vspam-agent_" + version + "_amd64.deb");
        ok("dpkg-deb", "--root-owner-group", "-Zgzip", "-z1", "--build", tree.toString(), rebuilt.toString());
        return rebuilt;
    }

    private static long residentKib(ProcessHandle process) throws IOException {
        return Files.readAllLines(Path.of("/proc/" + process.pid() + "/status")).stream()
                .filter(line -> line.startsWith("VmRSS:"))
                .mapToLong(line -> Long.parseLong(line.replaceAll("\\D", "")))
                .findFirst().orElseThrow();
    }

    /** The unit's service, started as systemd would start it. */
    private record Service(Process process, NotifySocket systemd, Path logFile) implements AutoCloseable {
        static Service start(Path dir) throws IOException, InterruptedException {
            Map<String, String> unit = unitSettings();
            String user = unit.get("User");
            // What systemd makes before ExecStart: RuntimeDirectory=vspam (StateDirectory is the package's).
            Path runtime = Path.of("/run/vspam");
            Files.createDirectories(runtime);
            ok("chown", user + ":" + unit.get("Group"), runtime.toString());
            Files.deleteIfExists(TEST_FILES.resolve("notify"));
            NotifySocket notify = NotifySocket.bind(TEST_FILES.resolve("notify"));
            Files.setPosixFilePermissions(notify.path(), PosixFilePermissions.fromString("rw-rw-rw-"));

            List<String> command = new ArrayList<>(List.of("runuser", "-u", user, "--"));
            command.addAll(List.of(unit.get("ExecStart").split(" ")));
            ProcessBuilder builder = new ProcessBuilder(command);
            builder.environment().clear();
            builder.environment().putAll(Map.of("PATH", "/usr/local/bin:/usr/bin:/bin", "LANG", "C.UTF-8", "HOME", "/nonexistent",
                    "USER", user, "LOGNAME", user, "NOTIFY_SOCKET", notify.path().toString()));
            for (String file : unit.get("EnvironmentFile").split("\n")) {
                Path path = Path.of(file.replaceFirst("^-", ""));
                if (Files.exists(path)) {
                    Files.readAllLines(path).stream().map(String::strip).filter(line -> !line.isEmpty() && !line.startsWith("#"))
                            .forEach(line -> builder.environment().put(line.substring(0, line.indexOf('=')), line.substring(line.indexOf('=') + 1)));
                }
            }
            Path log = dir.resolve("service.log");
            Process process = builder.redirectErrorStream(true).redirectOutput(log.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
            return new Service(process, notify, log);
        }

        /** The [Service] settings of the installed unit; a key given twice has its values on separate lines. */
        private static Map<String, String> unitSettings() throws IOException {
            Map<String, String> settings = new LinkedHashMap<>();
            for (String line : Files.readAllLines(Path.of(UNIT))) {
                int equals = line.indexOf('=');
                if (equals > 0 && !line.startsWith("#")) {
                    settings.merge(line.substring(0, equals), line.substring(equals + 1), (a, b) -> a + "\n" + b);
                }
            }
            return settings;
        }

        ProcessHandle java() {
            return process.toHandle().descendants().filter(p -> p.info().command().orElse("").endsWith("/bin/java")).findFirst()
                    .orElseThrow();
        }

        String log() throws IOException {
            return Files.readString(logFile);
        }

        /** As systemd stops a service: SIGTERM to its main process. */
        void stop(ProcessHandle main) throws InterruptedException {
            main.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }

        @Override
        public void close() throws IOException {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            systemd.close();
        }
    }
}
