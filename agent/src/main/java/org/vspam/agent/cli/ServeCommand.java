package org.vspam.agent.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.vspam.agent.Agent;
import org.vspam.agent.systemd.ServiceManager;
import org.vspam.config.AgentConfig;
import org.vspam.config.ConfigException;
import org.vspam.config.Setting;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Model.CommandSpec;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/** {@code vspam-agent serve}: runs the daemon in the foreground until SIGTERM or SIGINT; SIGHUP re-reads the configuration. */
final class ServeCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(ServeCommand.class);

    final CommandSpec spec;
    private final VspamCommand parent;

    ServeCommand(VspamCommand parent) {
        this.parent = parent;
        this.spec = VspamCommand.helpOptions(CommandSpec.wrapWithoutInspection(this).name("serve"));
        spec.usageMessage().description("Run the policy daemon in the foreground.");
    }

    @Override
    public Integer call() throws InterruptedException {
        Agent agent;
        try {
            AgentConfig config = parent.loadConfig();
            agent = Agent.start(config);
        } catch (ConfigException e) {
            parent.spec.commandLine().getErr().println("vspam-agent: " + e.getMessage());
            return VspamCommand.EXIT_CONFIG;
        } catch (IOException e) {
            parent.spec.commandLine().getErr().println("vspam-agent: " + e.getMessage());
            return VspamCommand.EXIT_UNAVAILABLE;
        }
        // SIGTERM and SIGINT are a request to stop, handled here, so that a clean stop exits 0 (the JVM's
        // own handling ends with 143); any other way out still closes the agent through the hook.
        CountDownLatch stopRequested = new CountDownLatch(1);
        for (String name : List.of("TERM", "INT")) {
            Signal.handle(new Signal(name), signal -> stopRequested.countDown());
        }
        ServiceManager serviceManager = ServiceManager.fromEnvironment(System.getenv());
        // SIGHUP (systemctl reload) would otherwise stop the JVM. A JVM started with SIGHUP ignored installs
        // no handler for it and hands back SIG_IGN: a kill -HUP then does nothing, which must not go unsaid.
        if (Signal.handle(new Signal("HUP"), signal -> reload(agent, serviceManager, "SIGHUP")) == SignalHandler.SIG_IGN) {
            LOG.warn("SIGHUP was ignored when the agent was started (nohup, or a parent that ignores it), so the JVM does not "
                    + "receive it: kill -HUP and systemctl reload will not re-read the configuration; a change to "
                    + parent.configFile() + " still is, within a second");
        }
        // The file is followed as well: the kubelet swaps a mounted ConfigMap and tells no one.
        Path file = parent.configFile();
        FileWatch watch = new FileWatch(file, () -> reload(agent, serviceManager, file + " changed"));
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            watch.close();
            agent.close();
        }, "vspam-shutdown"));
        serviceManager.ready("answering policy requests");
        stopRequested.await();
        serviceManager.stopping();
        watch.close();
        agent.close();
        return 0;
    }

    /**
     * SIGHUP, or the configuration file changed ({@code cause}): the configuration is read and checked
     * again. Its live settings are applied, the others named; a file with a mistake changes nothing, and
     * the running configuration stays in force. One at a time: a signal and a change together are two reloads.
     */
    private synchronized void reload(Agent agent, ServiceManager serviceManager, String cause) {
        serviceManager.reloading();
        try {
            Agent.Reload reload = agent.reload(parent.loadConfig());
            if (reload.applied().isEmpty()) {
                LOG.info("{}: the configuration was read again; nothing that changes live has changed", cause);
            } else {
                LOG.info("{}: the configuration was read again; applied: {}", cause, keys(reload.applied()));
            }
            if (!reload.needRestart().isEmpty()) {
                LOG.warn("{}: {} changed but only take effect at a restart (systemctl restart vspam-agent); the running values stay",
                        cause, keys(reload.needRestart()));
            }
        } catch (ConfigException e) {
            LOG.error("{}: the configuration was not reloaded, the running one stays in force: {}", cause, e.getMessage());
        } finally {
            serviceManager.ready("answering policy requests");
        }
    }

    private static String keys(List<Setting> settings) {
        return String.join(", ", settings.stream().map(Setting::key).toList());
    }
}
