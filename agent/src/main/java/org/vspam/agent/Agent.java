package org.vspam.agent;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import io.micronaut.context.ApplicationContext;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vspam.agent.cache.VerdictCache;
import org.vspam.agent.policy.PolicyServer;
import org.vspam.agent.lookup.LookupChain;
import org.vspam.agent.shared.RedisUrls;
import org.vspam.config.AgentConfig;
import org.vspam.config.ConfigException;
import org.vspam.config.GoDuration;
import org.vspam.config.Setting;

/**
 * A running agent: the application context built from one {@link AgentConfig}, with its
 * listeners started. Closing it stops accepting, lets answers in flight finish and saves the cache.
 */
public final class Agent implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Agent.class);

    private final ApplicationContext context;
    private final PolicyServer policyServer;

    private Agent(ApplicationContext context) {
        this.context = context;
        this.policyServer = context.getBean(PolicyServer.class);
    }

    public static Agent start(AgentConfig config) throws IOException, ConfigException {
        return start(config, Map.of());
    }

    /** Starts an agent; {@code properties} are extra framework settings (tests use them). */
    public static Agent start(AgentConfig config, Map<String, Object> properties) throws IOException, ConfigException {
        checkRedisUrl(config);
        applyLogLevel(config);
        Map<String, Object> settings = new HashMap<>();
        settings.put("micronaut.server.host", config.httpListen().host());
        settings.put("micronaut.server.port", config.httpListen().port());
        settings.putAll(properties);
        ApplicationContext context = ApplicationContext.builder()
                .singletons(config)
                .properties(settings)
                .deduceEnvironment(false)
                .banner(false)
                .start();
        Agent agent = new Agent(context);
        try {
            agent.policyServer.start();
        } catch (IOException | RuntimeException e) {
            context.close();
            throw e;
        }
        LOG.info("vspam-agent {} ready: policy {}, lookup chain {} (cache_ttl {}, decision deadline {})", Version.current(),
                agent.policyServer.boundAddress(), context.getBean(LookupChain.class).order(),
                GoDuration.format(config.cacheTtl()), GoDuration.format(config.decisionTimeout()));
        return agent;
    }

    public ApplicationContext context() {
        return context;
    }

    public PolicyServer policyServer() {
        return policyServer;
    }

    public VerdictCache cache() {
        return context.getBean(VerdictCache.class);
    }

    @Override
    public void close() {
        LOG.info("vspam-agent stopping");
        policyServer.close();
        context.close();
    }

    /** The Redis client reads the URL's details; a URL it cannot use is a configuration error like any other. */
    private static void checkRedisUrl(AgentConfig config) throws ConfigException {
        if (config.redisUrl().isPresent()) {
            try {
                RedisUrls.parse(config.redisUrl().get().value());
            } catch (IllegalArgumentException e) {
                throw new ConfigException(Setting.REDIS_URL.key() + ": (value hidden) " + e.getMessage());
            }
        }
    }

    private static void applyLogLevel(AgentConfig config) {
        if (LoggerFactory.getILoggerFactory() instanceof LoggerContext logging) {
            logging.getLogger("org.vspam").setLevel(Level.toLevel(config.logLevel().name()));
        }
    }
}
