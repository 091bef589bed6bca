package org.vspam.agent;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.vspam.agent.testing.AgentHarness;
import org.vspam.agent.testing.RedisServer;

/** The local tier is the agent's whole memory alone, and only the hot verdicts in front of Redis. */
@Timeout(60)
class LocalCacheSizeTest {
    private static final long MIB = 1024 * 1024;
    private static final String ALONE = "api_url: \"\"\ndnsbl_enabled: false\ncache_path: \"\"\nlisten: tcp://127.0.0.1:0\n";

    @Test
    void aloneTheLocalTierGrowsWithTheHeapWithinBounds() {
        assertThat(AgentFactory.localCacheEntries(128 * MIB, false)).isEqualTo(65_536);
        assertThat(AgentFactory.localCacheEntries(8 * MIB, false)).isEqualTo(10_000);
        assertThat(AgentFactory.localCacheEntries(4096 * MIB, false)).isEqualTo(200_000);
    }

    @Test
    void inFrontOfRedisItKeepsAtMostTheHotVerdicts() {
        assertThat(AgentFactory.localCacheEntries(128 * MIB, true)).isEqualTo(16_384);
        assertThat(AgentFactory.localCacheEntries(4096 * MIB, true)).isEqualTo(16_384);
        assertThat(AgentFactory.localCacheEntries(8 * MIB, true)).isEqualTo(10_000);
    }

    @Test
    void theAgentSizesItsCacheByWhetherRedisIsConfigured() throws Exception {
        long alone = AgentFactory.localCacheEntries(Runtime.getRuntime().maxMemory(), false);
        try (Agent agent = AgentHarness.start(ALONE)) {
            assertThat(agent.cache().capacity()).isEqualTo(alone);
        }
        // The size follows the configuration, not whether Redis answers yet: nothing listens here.
        try (RedisServer redis = RedisServer.notYetStarted(); Agent agent = AgentHarness.start(ALONE + "redis_url: " + redis.url() + "\n")) {
            assertThat(agent.cache().capacity()).isEqualTo(Math.min(alone, AgentFactory.LOCAL_ENTRIES_BEFORE_REDIS));
        }
    }
}
