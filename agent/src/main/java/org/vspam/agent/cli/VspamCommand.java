package org.vspam.agent.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.vspam.agent.Version;
import org.vspam.config.AgentConfig;
import org.vspam.config.AgentConfigLoader;
import org.vspam.config.ConfigException;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.ScopeType;

/**
 * {@code vspam-agent}: the top-level command; its subcommands do the work. The command line is declared
 * with picocli's programmatic API, not its annotations: reading annotations at run time makes the JDK
 * generate a proxy class for each one, and with them its class-file library, some 250 classes loaded at
 * every start of every agent.
 */
public final class VspamCommand implements Runnable {
    /** sysexits.h EX_CONFIG: the configuration is wrong. */
    static final int EXIT_CONFIG = 78;
    /** sysexits.h EX_UNAVAILABLE: a needed resource (a port, a socket path) could not be had. */
    static final int EXIT_UNAVAILABLE = 69;
    private static final String CONFIG = "--config";

    final CommandSpec spec;
    private final Map<String, String> environment;

    private VspamCommand(Map<String, String> environment) {
        this.environment = environment;
        this.spec = CommandSpec.wrapWithoutInspection(this).name("vspam-agent").versionProvider(() -> new String[] {"vspam-agent " + Version.current()})
                .addOption(OptionSpec.builder(CONFIG).paramLabel("FILE").type(Path.class).scopeType(ScopeType.INHERIT)
                        .defaultValue(AgentConfigLoader.DEFAULT_FILE.toString()).description("configuration file (default: ${DEFAULT-VALUE})").build());
        spec.usageMessage().description("Checks mail senders against vspam.org threat data for Postfix and other MTAs.");
        helpOptions(spec);
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** The configuration, from the file (all defaults when the default file is missing) and VSPAM_* variables. */
    AgentConfig loadConfig() throws ConfigException {
        Optional<Path> given = givenConfigFile();
        return AgentConfigLoader.load(given.orElse(AgentConfigLoader.DEFAULT_FILE), given.isPresent(), environment);
    }

    /** The configuration file: the one given with {@code --config}, else the default one. */
    Path configFile() {
        return givenConfigFile().orElse(AgentConfigLoader.DEFAULT_FILE);
    }

    private Optional<Path> givenConfigFile() {
        for (CommandLine command : commands()) {
            ParseResult parsed = command.getParseResult();
            if (parsed != null && parsed.hasMatchedOption(CONFIG)) {
                return Optional.of(parsed.matchedOptionValue(CONFIG, AgentConfigLoader.DEFAULT_FILE));
            }
        }
        return Optional.empty();
    }

    /** This command and its subcommands, where {@code --config} may have been given. */
    private List<CommandLine> commands() {
        List<CommandLine> commands = new ArrayList<>(List.of(spec.commandLine()));
        commands.addAll(spec.commandLine().getSubcommands().values());
        return commands;
    }

    /** {@code -h}/{@code --help} and {@code -V}/{@code --version}, as picocli's standard help options give every command. */
    static CommandSpec helpOptions(CommandSpec spec) {
        return spec.addOption(OptionSpec.builder("-h", "--help").usageHelp(true).description("Show this help message and exit.").build())
                .addOption(OptionSpec.builder("-V", "--version").versionHelp(true).description("Print version information and exit.").build());
    }

    public static CommandLine commandLine(Map<String, String> environment) {
        VspamCommand root = new VspamCommand(environment);
        CommandLine commandLine = new CommandLine(root.spec);
        commandLine.addSubcommand("serve", new CommandLine(new ServeCommand(root).spec));
        commandLine.addSubcommand("check", new CommandLine(new CheckCommand(root).spec));
        return commandLine;
    }
}
