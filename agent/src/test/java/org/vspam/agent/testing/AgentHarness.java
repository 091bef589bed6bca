package org.vspam.agent.testing;

import java.io.IOException;
import java.util.Map;
import org.vspam.agent.Agent;
import org.vspam.config.AgentConfig;
import org.vspam.config.AgentConfigLoader;
import org.vspam.config.ConfigException;

/**
 * A real agent wired to the fake API and a real DNSBL, configured through the same agent.yml
 * loader users have. {@code extraYaml} adds or overrides keys.
 */
public final class AgentHarness {
    private AgentHarness() {
    }

    public static String yaml(FakeVspamApi api, Rbldnsd dnsbl) {
        return """
                api_url: %s
                listen: tcp://127.0.0.1:0
                cache_path: ""
                dnsbl_zone: %s
                dnsbl_resolvers: ["%s"]
                decision_timeout: 1s
                """.formatted(api.baseUrl(), Rbldnsd.ZONE, dnsbl.address());
    }

    /** The fake API alone (no DNSBL, no cache file), verdicts shared through {@code redisUrl}. */
    public static String sharedCacheYaml(FakeVspamApi api, String redisUrl) {
        return """
                api_url: %s
                dnsbl_enabled: false
                listen: tcp://127.0.0.1:0
                cache_path: ""
                redis_url: "%s"
                """.formatted(api.baseUrl(), redisUrl);
    }

    /** The fake API alone (no DNSBL, no cache file), the milter on a free loopback port; {@code extraYaml} adds keys. */
    public static String milterYaml(FakeVspamApi api, String extraYaml) {
        return """
                api_url: %s
                dnsbl_enabled: false
                listen: tcp://127.0.0.1:0
                cache_path: ""
                milter_listen: tcp://127.0.0.1:0
                """.formatted(api.baseUrl()) + extraYaml;
    }

    /** The agent's {@code vspam_shared_cache_up}: 1 while Redis is connected and answering. */
    public static double sharedCacheUp(Agent agent) {
        return agent.context().getBean(io.micrometer.core.instrument.MeterRegistry.class).get("vspam.shared.cache.up").gauge().value();
    }

    public static AgentConfig config(String yaml) {
        try {
            return AgentConfigLoader.parse(yaml, "test agent.yml", Map.of());
        } catch (ConfigException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    public static Agent start(String yaml) throws IOException {
        try {
            return Agent.start(config(yaml));
        } catch (ConfigException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }
}
