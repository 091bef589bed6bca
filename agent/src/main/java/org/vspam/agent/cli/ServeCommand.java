package org.vspam.agent.cli;

import java.io.IOException;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.vspam.agent.Agent;
import org.vspam.config.AgentConfig;
import org.vspam.config.ConfigException;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

/** {@code vspam-agent serve}: runs the daemon in the foreground until SIGTERM or SIGINT. */
@Command(name = "serve", description = "Run the policy daemon in the foreground.", mixinStandardHelpOptions = true)
final class ServeCommand implements Callable<Integer> {

    @ParentCommand
    VspamCommand parent;

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
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            agent.close();
            stopped.countDown();
        }, "vspam-shutdown"));
        stopped.await();
        return 0;
    }
}
