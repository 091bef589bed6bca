package org.vspam.agent.cli;

import java.nio.file.Path;
import java.util.Map;
import org.vspam.agent.Version;
import org.vspam.config.AgentConfig;
import org.vspam.config.AgentConfigLoader;
import org.vspam.config.ConfigException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code vspam-agent}: the top-level command; its subcommands do the work. */
@Command(name = "vspam-agent",
        description = "Checks mail senders against vspam.org threat data for Postfix and other MTAs.",
        mixinStandardHelpOptions = true,
        versionProvider = VspamCommand.VersionProvider.class,
        subcommands = {ServeCommand.class, CheckCommand.class})
public final class VspamCommand implements Runnable {
    /** sysexits.h EX_CONFIG: the configuration is wrong. */
    static final int EXIT_CONFIG = 78;
    /** sysexits.h EX_UNAVAILABLE: a needed resource (a port, a socket path) could not be had. */
    static final int EXIT_UNAVAILABLE = 69;

    @Option(names = "--config", paramLabel = "FILE", scope = CommandLine.ScopeType.INHERIT,
            description = "configuration file (default: ${DEFAULT-VALUE})", defaultValue = "/etc/vspam/agent.yml")
    Path config;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private final Map<String, String> environment;

    public VspamCommand() {
        this(System.getenv());
    }

    VspamCommand(Map<String, String> environment) {
        this.environment = environment;
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** The configuration, from the file (all defaults when the default file is missing) and VSPAM_* variables. */
    AgentConfig loadConfig() throws ConfigException {
        boolean explicit = spec.commandLine().getParseResult().hasMatchedOption("--config")
                || spec.commandLine().getSubcommands().values().stream()
                        .anyMatch(sub -> sub.getParseResult() != null && sub.getParseResult().hasMatchedOption("--config"));
        return AgentConfigLoader.load(config, explicit || !config.equals(AgentConfigLoader.DEFAULT_FILE), environment);
    }

    public static CommandLine commandLine(Map<String, String> environment) {
        return new CommandLine(new VspamCommand(environment));
    }

    static final class VersionProvider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"vspam-agent " + Version.current()};
        }
    }
}
