package org.vspam.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AgentConfigLoaderTest {

    @Test
    void emptyFileMeansTheDocumentedDefaults() throws Exception {
        AgentConfig config = AgentConfigLoader.parse("", "agent.yml", Map.of());

        assertThat(config.apiUrl()).contains(URI.create("https://api.vspam.org"));
        assertThat(config.apiKey().present()).isFalse();
        assertThat(config.listen()).isEqualTo(new ListenAddress.Tcp(new HostPort("127.0.0.1", 10045)));
        assertThat(config.socketMode()).isEqualTo(0660);
        assertThat(config.httpEnabled()).isFalse();
        assertThat(config.httpListen()).isEqualTo(new HostPort("127.0.0.1", 10046));
        assertThat(config.cacheTtl()).isEqualTo(Duration.ofMinutes(10));
        assertThat(config.cachePath()).contains(Path.of("/var/lib/vspam/cache.db"));
        assertThat(config.dnsblEnabled()).isTrue();
        assertThat(config.dnsblZone()).isEqualTo("dnsbl.vspam.org");
        assertThat(config.dnsblResolvers()).isEmpty();
        assertThat(config.rejectMessage()).isEqualTo("550 Message rejected: sender listed in vspam.org (phishing)");
        assertThat(config.reportingEnabled()).isTrue();
        assertThat(config.queueSize()).isEqualTo(1000);
        assertThat(config.logLevel()).isEqualTo(LogLevel.INFO);
        assertThat(config.logFormat()).isEqualTo(LogFormat.TEXT);
        assertThat(config.decisionTimeout()).isLessThan(Duration.ofSeconds(10));
    }

    @Test
    void readsTheProductPageExampleUnchanged() throws Exception {
        String yaml = """
                # vspam.org API endpoint
                api_url: https://api.vspam.org
                api_key: "vspam_xxxxxxxxxxxx"
                listen: tcp://127.0.0.1:10045
                cache_ttl: 10m
                cache_path: /var/lib/vspam/cache.db
                dnsbl_enabled: true
                dnsbl_zone: dnsbl.vspam.org
                reject_message: "550 Message rejected: sender listed in vspam.org (phishing)"
                reporting_enabled: true
                queue_size: 1000
                log_level: info
                """;
        AgentConfig config = AgentConfigLoader.parse(yaml, "agent.yml", Map.of());

        assertThat(config.apiKey().reveal()).isEqualTo("vspam_xxxxxxxxxxxx");
        assertThat(config.reportingActive()).isTrue();
    }

    @Test
    void readsEveryKindOfValue() throws Exception {
        String yaml = """
                api_url: http://127.0.0.1:8080/
                listen: unix:///var/run/vspam/agent.sock
                socket_mode: 0666
                http_enabled: yes
                http_listen: "[::1]:9000"
                cache_ttl: 1h30m
                cache_path: ""
                dnsbl_resolvers: ["192.0.2.53", "[2001:db8::53]:5353"]
                log_level: DEBUG
                log_format: json
                decision_timeout: 750ms
                """;
        AgentConfig config = AgentConfigLoader.parse(yaml, "agent.yml", Map.of());

        assertThat(config.apiUrl()).contains(URI.create("http://127.0.0.1:8080"));
        assertThat(config.listen()).isEqualTo(new ListenAddress.Unix(Path.of("/var/run/vspam/agent.sock")));
        assertThat(config.socketMode()).isEqualTo(0666);
        assertThat(config.httpEnabled()).isTrue();
        assertThat(config.httpListen()).isEqualTo(new HostPort("::1", 9000));
        assertThat(config.cacheTtl()).isEqualTo(Duration.ofMinutes(90));
        assertThat(config.cachePath()).isEmpty();
        assertThat(config.dnsblResolvers()).containsExactly(new HostPort("192.0.2.53", 53), new HostPort("2001:db8::53", 5353));
        assertThat(config.logLevel()).isEqualTo(LogLevel.DEBUG);
        assertThat(config.logFormat()).isEqualTo(LogFormat.JSON);
        assertThat(config.decisionTimeout()).isEqualTo(Duration.ofMillis(750));
    }

    @Test
    void environmentOverridesTheFile() throws Exception {
        AgentConfig config = AgentConfigLoader.parse("listen: tcp://127.0.0.1:10045\napi_url: https://api.vspam.org\n", "agent.yml",
                Map.of("VSPAM_LISTEN", "unix:/tmp/agent.sock", "VSPAM_API_URL", "", "VSPAM_DNSBL_RESOLVERS", "192.0.2.1:5300, 192.0.2.2",
                        "VSPAM_HTTP_ENABLED", "true", "VSPAM_API_KEY", "secret-key"));

        assertThat(config.listen()).isEqualTo(new ListenAddress.Unix(Path.of("/tmp/agent.sock")));
        assertThat(config.apiUrl()).isEmpty();
        assertThat(config.httpEnabled()).isTrue();
        assertThat(config.dnsblResolvers()).containsExactly(new HostPort("192.0.2.1", 5300), new HostPort("192.0.2.2", 53));
        assertThat(config.reportingActive()).as("no API, nothing to report to").isFalse();
        assertThat(config.toString()).doesNotContain("secret-key");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "cache_ttl: ten|cache_ttl: \"ten\" is not a duration (expected e.g. 500ms, 30s, 10m, 1h30m) (from agent.yml)",
        "cache_ttl: 600|cache_ttl: \"600\" is not a duration (expected e.g. 500ms, 30s, 10m, 1h30m) (from agent.yml)",
        "listen: ftp://x|listen: \"ftp://x\" is not valid: expected tcp://HOST:PORT, unix:///path or unix:/path (from agent.yml)",
        "listen: tcp://127.0.0.1|listen: \"tcp://127.0.0.1\" is not valid: the port is missing (expected HOST:PORT) (from agent.yml)",
        "queue_size: -1|queue_size: \"-1\" must be a whole number from 1 to 1000000 (from agent.yml)",
        "http_enabled: maybe|http_enabled: \"maybe\" is not a boolean (expected true or false) (from agent.yml)",
        "socket_mode: rw|socket_mode: \"rw\" is not an octal file mode (expected e.g. \"0660\") (from agent.yml)",
        "log_level: loud|log_level: \"loud\" is not a log level (expected debug, info, warn or error) (from agent.yml)",
        "log_format: xml|log_format: \"xml\" is not a log format (expected text or json) (from agent.yml)",
        "api_url: ftp://api.vspam.org|api_url: \"ftp://api.vspam.org\" must be an http:// or https:// URL (or empty to disable the API) (from agent.yml)",
        "decision_timeout: 0s|decision_timeout: \"0s\" must be longer than zero (from agent.yml)",
    })
    void aBadValueIsOneLineNamingKeyAndValue(String yaml, String message) {
        assertThatThrownBy(() -> AgentConfigLoader.parse(yaml, "agent.yml", Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessage(message);
    }

    @Test
    void redisUrlsInEveryFormAndNeverThePasswordInAMessage() throws Exception {
        for (String url : new String[] {"redis://127.0.0.1:6379/0", "rediss://:pw@cache.example.net:6380/2", "redis://cache.example.net",
                "redis-sentinel://:pw@sentinel-a.example.net:26379,sentinel-b.example.net:26379/0#mymaster",
                "redis-cluster://:pw@redis-0.example.net:6379,redis-1.example.net:6379", "rediss-cluster://cache.example.net:6380/0"}) {
            assertThat(AgentConfigLoader.parse("redis_url: \"" + url + "\"", "agent.yml", Map.of()).redisUrl()).map(RedisUrl::value).contains(url);
        }
        assertThat(AgentConfigLoader.parse("redis_url: redis-cluster://a.example.net,b.example.net", "agent.yml", Map.of()).redisUrl())
                .map(RedisUrl::cluster).contains(true);
        assertThat(AgentConfigLoader.parse("redis_url: redis://a.example.net", "agent.yml", Map.of()).redisUrl()).map(RedisUrl::cluster).contains(false);
        assertThat(AgentConfigLoader.parse("redis_url: redis://:pw@cache.example.net/1", "agent.yml", Map.of()).toString()).doesNotContain(":pw@");
        for (String bad : new String[] {"http://cache.example.net", "redis://:s3cret@cache.example.net:notaport/0", "redis://:s3cret@/0",
                "redis://cache.example.net/db", "redis-cluster://:s3cret@a.example.net:6379/1"}) {
            assertThatThrownBy(() -> AgentConfigLoader.parse("redis_url: \"" + bad + "\"", "agent.yml", Map.of()))
                    .hasMessageStartingWith("redis_url: (value hidden) is not a Redis URL")
                    .message().doesNotContain("s3cret");
        }
    }

    @Test
    void anUnknownKeyStopsStartUp() {
        assertThatThrownBy(() -> AgentConfigLoader.parse("cache_tl: 5m", "/etc/vspam/agent.yml", Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("unknown key \"cache_tl\" in /etc/vspam/agent.yml (known keys: api_url, api_key,")
                .message().doesNotContain("\n");
    }

    @Test
    void aBadEnvironmentValueNamesTheVariable() {
        assertThatThrownBy(() -> AgentConfigLoader.parse("", "agent.yml", Map.of("VSPAM_CACHE_TTL", "forever")))
                .hasMessage("cache_ttl: \"forever\" is not a duration (expected e.g. 500ms, 30s, 10m, 1h30m) (from VSPAM_CACHE_TTL)");
    }

    @Test
    void brokenYamlIsOneLineWithItsPosition() {
        assertThatThrownBy(() -> AgentConfigLoader.parse("listen: [tcp://x\ncache_ttl: 5m", "agent.yml", Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("agent.yml is not valid YAML at line")
                .message().doesNotContain("\n");
        assertThatThrownBy(() -> AgentConfigLoader.parse("- a\n- b\n", "agent.yml", Map.of()))
                .hasMessage("agent.yml must be a mapping of settings (key: value), not a list");
    }

    /** SnakeYAML alone would keep the last value and say so only through java.util.logging. */
    @Test
    void aKeyWrittenTwiceIsAMistakeNamingTheKey() {
        assertThatThrownBy(() -> AgentConfigLoader.parse("cache_ttl: 5m\nlisten: tcp://127.0.0.1:10045\ncache_ttl: 10m\n", "agent.yml", Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("agent.yml is not valid YAML at line 3")
                .hasMessageContaining("duplicate key cache_ttl")
                .message().doesNotContain("\n");
    }

    @Test
    void theApiKeyNeverAppearsInAnError() {
        assertThatThrownBy(() -> AgentConfigLoader.parse("api_key: [\"vspam_topsecret\"]\nqueue_size: many", "agent.yml", Map.of()))
                .message().doesNotContain("topsecret");
    }

    @Test
    void missingDefaultFileMeansDefaultsButAMissingNamedFileIsAnError(@TempDir Path dir) throws Exception {
        Path absent = dir.resolve("agent.yml");
        assertThat(AgentConfigLoader.load(absent, false, Map.of())).isEqualTo(AgentConfigLoader.defaults());
        assertThatThrownBy(() -> AgentConfigLoader.load(absent, true, Map.of()))
                .hasMessage("config file " + absent + " does not exist");

        Files.writeString(absent, "dnsbl_zone: DNSBL.Example.NET.\n");
        assertThat(AgentConfigLoader.load(absent, true, Map.of()).dnsblZone()).isEqualTo("dnsbl.example.net");
    }

    @ParameterizedTest
    @CsvSource({"500ms,PT0.5S", "30s,PT30S", "10m,PT10M", "1h30m,PT1H30M", "1.5h,PT1H30M", "2h45m30s,PT2H45M30S", "0,PT0S"})
    void goDurations(String text, String iso) {
        assertThat(GoDuration.parse(text)).isEqualTo(Duration.parse(iso));
        assertThat(GoDuration.parse(GoDuration.format(Duration.parse(iso)))).isEqualTo(Duration.parse(iso));
    }

    @Test
    void listenAddressForms() {
        assertThat(ListenAddress.parse("unix:/run/a.sock")).isEqualTo(new ListenAddress.Unix(Path.of("/run/a.sock")));
        assertThat(ListenAddress.parse("tcp://[::1]:10045")).isEqualTo(new ListenAddress.Tcp(new HostPort("::1", 10045)));
        assertThat(ListenAddress.parse("tcp://0.0.0.0:10045").toString()).isEqualTo("tcp://0.0.0.0:10045");
    }

    @Test
    void writtenYamlReadsBackAsTheSameSettings() throws Exception {
        Map<Setting, Object> values = new EnumMap<>(Setting.class);
        values.put(Setting.CACHE_TTL, "1h30m");
        values.put(Setting.DNSBL_RESOLVERS, List.of("192.0.2.53", "[2001:db8::53]:5353"));
        values.put(Setting.SOCKET_MODE, "0666");
        values.put(Setting.HTTP_ENABLED, true);
        values.put(Setting.QUEUE_SIZE, 250);
        values.put(Setting.REJECT_MESSAGE, "550 5.7.1 no: \"phishing\" # not a comment");

        AgentConfig config = AgentConfigLoader.parse(AgentYaml.write(values), "written", Map.of());

        assertThat(config.cacheTtl()).isEqualTo(Duration.ofMinutes(90));
        assertThat(config.dnsblResolvers()).containsExactly(new HostPort("192.0.2.53", 53), new HostPort("2001:db8::53", 5353));
        assertThat(config.socketMode()).isEqualTo(0666);
        assertThat(config.httpEnabled()).isTrue();
        assertThat(config.queueSize()).isEqualTo(250);
        assertThat(config.rejectMessage()).isEqualTo("550 5.7.1 no: \"phishing\" # not a comment");
    }

    @Test
    void secretsAreNeverWrittenToAFile() {
        assertThatThrownBy(() -> AgentYaml.write(Map.of(Setting.API_KEY, "vspam_secret")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("api_key is secret and is never written to agent.yml; pass it as VSPAM_API_KEY");
        assertThatThrownBy(() -> AgentYaml.write(Map.of(Setting.REDIS_URL, "redis://:pw@cache.example.net")))
                .hasMessageNotContaining("pw");
    }
}
