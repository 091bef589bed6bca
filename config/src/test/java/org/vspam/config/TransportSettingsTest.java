package org.vspam.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** api_ca_file, redis_ca_file and api_proxy, and the conventional proxy environment. */
class TransportSettingsTest {
    private static AgentConfig parse(String yaml, Map<String, String> environment) throws ConfigException {
        return AgentConfigLoader.parse(yaml, "agent.yml", environment);
    }

    @Test
    void caFilesAreOptionalAndReadWhenTheConfigurationIsLoaded(@TempDir Path dir) throws Exception {
        assertThat(parse("", Map.of()).apiCa()).isEmpty();
        assertThat(parse("", Map.of()).redisCa()).isEmpty();

        assertThatThrownBy(() -> parse("api_ca_file: " + dir.resolve("missing.pem"), Map.of()))
                .hasMessage("api_ca_file: \"" + dir.resolve("missing.pem") + "\" does not exist (from agent.yml)");
        Path notPem = Files.writeString(dir.resolve("ca.txt"), "not a certificate\n");
        assertThatThrownBy(() -> parse("redis_ca_file: " + notPem, Map.of()))
                .hasMessage("redis_ca_file: \"" + notPem + "\" holds no certificate (expected PEM, -----BEGIN CERTIFICATE-----) (from agent.yml)");
    }

    @Test
    void apiProxyIsReadWithItsCredentialsWhichNeverShow() throws Exception {
        ApiProxy proxy = parse("api_proxy: http://mail:s3cr%40t@proxy.example.net:3128\n", Map.of()).apiProxy().orElseThrow();
        assertThat(proxy.address()).isEqualTo(new HostPort("proxy.example.net", 3128));
        assertThat(proxy.credentials()).contains(new ApiProxy.Credentials("mail", "s3cr@t"));
        assertThat(proxy.toString()).isEqualTo("http://mail:***@proxy.example.net:3128 (from agent.yml)").doesNotContain("s3cr");
        assertThat(proxy.bypasses("api.vspam.org")).isFalse();

        assertThatThrownBy(() -> parse("api_proxy: socks5://mail:s3cret@proxy.example.net:1080\n", Map.of()))
                .hasMessage("api_proxy: (value hidden) must be an http:// proxy (HTTPS to the API goes through it as a CONNECT tunnel) "
                        + "(from agent.yml)");
        assertThatThrownBy(() -> parse("api_proxy: http://proxy.example.net\n", Map.of()))
                .hasMessageContaining("expected http://[user:password@]host:port");
    }

    @Test
    void withoutApiProxyTheEnvironmentsProxyForTheApisSchemeIsUsed() throws Exception {
        ApiProxy proxy = parse("", Map.of("https_proxy", "proxy.example.net:3128", "no_proxy", "localhost, .example.org,internal"))
                .apiProxy().orElseThrow();
        assertThat(proxy.address()).isEqualTo(new HostPort("proxy.example.net", 3128));
        assertThat(proxy.origin()).isEqualTo("https_proxy");
        assertThat(proxy.direct()).containsExactly("localhost", "example.org", "internal");
        assertThat(proxy.bypasses("mirror.example.org")).isTrue();
        assertThat(proxy.bypasses("EXAMPLE.ORG")).isTrue();
        assertThat(proxy.bypasses("notexample.org")).isFalse();
        assertThat(proxy.bypasses("api.vspam.org")).isFalse();

        assertThat(parse("", Map.of("HTTPS_PROXY", "http://proxy.example.net:8080")).apiProxy()).isPresent();
        assertThat(parse("api_url: http://api.example.net\n", Map.of("https_proxy", "http://proxy.example.net:8080")).apiProxy())
                .as("https_proxy is for HTTPS; plain HTTP uses http_proxy").isEmpty();
        assertThat(parse("api_url: http://api.example.net\n", Map.of("http_proxy", "http://proxy.example.net:8080")).apiProxy()).isPresent();
    }

    @Test
    void anExplicitApiProxyWinsOverTheEnvironmentAndAnEmptyOneTurnsProxiesOff() throws Exception {
        Map<String, String> environment = Map.of("https_proxy", "http://env.example.net:3128", "no_proxy", "*");
        assertThat(parse("api_proxy: http://file.example.net:3128\n", environment).apiProxy().orElseThrow().address().host())
                .isEqualTo("file.example.net");
        assertThat(parse("api_proxy: http://file.example.net:3128\n", environment).apiProxy().orElseThrow().direct())
                .as("no_proxy belongs to the environment's proxy").isEmpty();
        assertThat(parse("api_proxy: \"\"\n", environment).apiProxy()).isEmpty();
        assertThat(parse("", Map.of("VSPAM_API_PROXY", "http://vspam.example.net:3128", "https_proxy", "http://env.example.net:3128"))
                .apiProxy().orElseThrow().origin()).isEqualTo("VSPAM_API_PROXY");
    }

    @Test
    void aBrokenProxyInTheEnvironmentIsOneLineThatHidesIt() {
        assertThatThrownBy(() -> parse("", Map.of("https_proxy", "ftp://user:hunter2@proxy.example.net:21")))
                .hasMessageStartingWith("https_proxy: (value hidden) must be an http:// proxy")
                .message().doesNotContain("hunter2");
    }

    @Test
    void theProxySettingIsSecretAndNeverWrittenToAFile() {
        assertThat(Setting.API_PROXY.secret()).isTrue();
        assertThatThrownBy(() -> AgentYaml.write(Map.of(Setting.API_PROXY, "http://u:p@proxy.example.net:3128")))
                .hasMessageStartingWith("api_proxy is secret");
        assertThat(List.of(Setting.API_CA_FILE, Setting.REDIS_CA_FILE)).noneMatch(Setting::secret);
    }
}
