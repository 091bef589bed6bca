package org.vspam.agent;

import io.micronaut.context.ApplicationContext;
import io.micronaut.inject.qualifiers.Qualifiers;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vspam.agent.cache.VerdictCache;
import org.vspam.agent.decision.LiveControls;
import org.vspam.agent.http.HttpServer;
import org.vspam.agent.lookup.Failures;
import org.vspam.agent.lookup.LookupChain;
import org.vspam.agent.milter.MilterServer;
import org.vspam.agent.observe.ConfigInfo;
import org.vspam.agent.observe.LogOutput;
import org.vspam.agent.observe.SourceProbes;
import org.vspam.agent.policy.PolicyServer;
import org.vspam.config.AgentConfig;
import org.vspam.config.ConfigException;
import org.vspam.config.GoDuration;
import org.vspam.config.HostPort;
import org.vspam.config.ListenAddress;
import org.vspam.config.Setting;

/**
 * A running agent: the application context built from one {@link AgentConfig}, with its
 * listeners started. Closing it stops accepting, lets answers in flight finish and saves the cache.
 */
public final class Agent implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Agent.class);

    private final ApplicationContext context;
    private final PolicyServer policyServer;

    /** The HTTP listener, when {@code http_enabled}. */
    private final HttpServer httpServer;
    /** The milter listener, when {@code milter_listen} is set. */
    private final MilterServer milterServer;
    /** Health and metrics on a listener of their own, when {@code metrics_listen} is set. */
    private final HttpServer metricsServer;
    private final AtomicBoolean closed = new AtomicBoolean();
    /** The configuration whose live settings are in force: the started one, or the last reloaded. */
    private AgentConfig applied;

    private Agent(ApplicationContext context) {
        this.context = context;
        this.policyServer = context.getBean(PolicyServer.class);
        this.httpServer = context.findBean(HttpServer.class, Qualifiers.byName(HttpServer.HTTP)).orElse(null);
        this.metricsServer = context.findBean(HttpServer.class, Qualifiers.byName(HttpServer.METRICS)).orElse(null);
        this.milterServer = context.findBean(MilterServer.class).orElse(null);
        this.applied = context.getBean(AgentConfig.class);
        context.getBean(ConfigInfo.class); // the series exists from the start
        context.getBean(SourceProbes.class);
    }

    private static void startHttp(HttpServer server, Setting setting, HostPort address) throws IOException {
        try {
            server.start();
        } catch (IOException | RuntimeException e) {
            throw new IOException("cannot listen on " + setting.key() + " " + address + ": " + Failures.rootMessage(e), e);
        }
    }

    private static void requireResolvable(Setting setting, HostPort address) throws ConfigException {
        try {
            InetAddress.getByName(address.host());
        } catch (UnknownHostException e) {
            throw new ConfigException(setting.key() + ": \"" + address.host() + "\" is not an address and does not resolve to one");
        }
    }

    /** The HTTP port actually bound, or -1 when the HTTP API is off. */
    public int httpPort() {
        return httpServer == null ? -1 : httpServer.port();
    }

    /** The port of {@code metrics_listen} actually bound, or -1 when it is not set. */
    public int metricsPort() {
        return metricsServer == null ? -1 : metricsServer.port();
    }

    public static Agent start(AgentConfig config) throws IOException, ConfigException {
        return start(config, Map.of());
    }

    /**
     * Starts an agent; {@code properties} are extra framework settings (tests use them). A listener
     * host that does not resolve is a configuration error, like any other bad value.
     */
    public static Agent start(AgentConfig config, Map<String, Object> properties) throws IOException, ConfigException {
        if (config.listen() instanceof ListenAddress.Tcp tcp) {
            requireResolvable(Setting.LISTEN, tcp.address());
        }
        if (config.milter().listen().orElse(null) instanceof ListenAddress.Tcp tcp) {
            requireResolvable(Setting.MILTER_LISTEN, tcp.address());
        }
        if (config.httpEnabled()) {
            requireResolvable(Setting.HTTP_LISTEN, config.httpListen());
        }
        if (config.metricsListen().isPresent()) {
            requireResolvable(Setting.METRICS_LISTEN, config.metricsListen().get());
        }
        LogOutput.apply(config.logLevel(), config.logFormat());
        ApplicationContext context = context(config, properties);
        Agent agent = new Agent(context);
        try {
            agent.policyServer.start();
            if (agent.milterServer != null) {
                agent.milterServer.start();
            }
            if (agent.httpServer != null) {
                startHttp(agent.httpServer, Setting.HTTP_LISTEN, config.httpListen());
            }
            if (agent.metricsServer != null) {
                startHttp(agent.metricsServer, Setting.METRICS_LISTEN, config.metricsListen().orElseThrow());
            }
        } catch (IOException | RuntimeException e) {
            agent.close();
            throw e;
        }
        context.getBean(AgentState.class).serving();
        LOG.info("vspam-agent {} ready: policy {}, {}http {}{}, lookup chain {} (cache_ttl {}, decision deadline {})", Version.current(),
                agent.policyServer.boundAddress(), agent.milterServer == null ? "" : "milter " + agent.milterServer.boundAddress() + ", ",
                agent.httpServer == null ? "off" : config.httpListen().host() + ":" + agent.httpPort(),
                agent.metricsServer == null ? "" : ", health and metrics " + config.metricsListen().get().host() + ":" + agent.metricsServer.port(),
                context.getBean(LookupChain.class).order(), GoDuration.format(config.cacheTtl()), GoDuration.format(config.decisionTimeout()));
        if (!SystemResolvers.configured()) {
            LOG.info("no DNS server in {}: names (api_url, redis_url, dnsbl_resolvers) resolve from /etc/hosts only, and the system "
                    + "asks no DNS server but one on this host (127.0.0.1:53) if one runs", SystemResolvers.RESOLV_CONF);
        }
        return agent;
    }

    /** The framework's settings; the agent's own live in agent.yml. */
    private static final Map<String, Object> FRAMEWORK_SETTINGS = Map.of("micronaut.application.name", "vspam-agent");

    /**
     * The decision path built from {@code config}, listeners not started: what {@link #start} serves
     * from, and what the command line's {@code check} asks directly.
     */
    public static ApplicationContext context(AgentConfig config, Map<String, Object> properties) {
        Map<String, Object> settings = new HashMap<>(FRAMEWORK_SETTINGS);
        settings.putAll(properties);
        // Without an API there is no client to build; with one, it is built while the context starts.
        Object[] singletons = config.apiUrl().isPresent() ? new Object[] {config, AgentFactory.launchApiClient(config)} : new Object[] {config};
        MicronautServices.install();
        return ApplicationContext.builder()
                .singletons(singletons)
                .properties(settings)
                .deduceEnvironment(false)
                // The framework's settings are the ones above: no application.yml or bootstrap file is
                // looked for in the jar, which spares the start a scan of it.
                .enableDefaultPropertySources(false)
                .banner(false)
                .start();
    }

    public ApplicationContext context() {
        return context;
    }

    public PolicyServer policyServer() {
        return policyServer;
    }

    /** The milter listener, when {@code milter_listen} is set. */
    public Optional<MilterServer> milterServer() {
        return Optional.ofNullable(milterServer);
    }

    public VerdictCache cache() {
        return context.getBean(VerdictCache.class);
    }

    /** What a reload changed: the settings applied live, and those that keep their running value until a restart. */
    public record Reload(List<Setting> applied, List<Setting> needRestart) {
    }

    /**
     * Applies a re-read configuration: the controls (allow-lists, actions, mode, texts) and the log
     * level change at once, for the next request on every connection, without dropping one; other
     * settings keep the value the agent started with, and are named so that the operator knows.
     */
    public synchronized Reload reload(AgentConfig reloaded) {
        AgentConfig started = context.getBean(AgentConfig.class);
        List<Setting> applied = this.applied.changedIn(reloaded).stream().filter(Setting::live).toList();
        List<Setting> needRestart = started.changedIn(reloaded).stream().filter(setting -> !setting.live()).toList();
        context.getBean(LiveControls.class).apply(reloaded);
        context.getBean(ConfigInfo.class).update();
        if (applied.contains(Setting.LOG_LEVEL)) {
            LogOutput.apply(reloaded.logLevel(), started.logFormat());
        }
        this.applied = reloaded;
        return new Reload(applied, needRestart);
    }

    /**
     * Health turns 503 first, so load balancers stop sending; the policy listener and the milter stop accepting and
     * answer what they have received (for at most {@code shutdown_timeout}); then the HTTP listener
     * closes, queued reports are sent and the cache is written. Closing twice is harmless.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        LOG.info("vspam-agent stopping");
        context.getBean(AgentState.class).draining();
        Duration shutdownTimeout = context.getBean(AgentConfig.class).shutdownTimeout();
        // both listeners drain at once: a stop waits shutdown_timeout at most, not once per listener
        Thread milterDrain = milterServer == null ? null : Thread.ofVirtual().name("vspam-milter-drain").start(() -> milterServer.drain(shutdownTimeout));
        policyServer.drain(shutdownTimeout);
        if (milterDrain != null) {
            try {
                milterDrain.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (httpServer != null) {
            httpServer.close();
        }
        if (metricsServer != null) {
            metricsServer.close();
        }
        context.close();
    }
}
