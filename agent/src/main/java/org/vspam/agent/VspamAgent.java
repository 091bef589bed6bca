package org.vspam.agent;

import org.vspam.agent.cli.VspamCommand;

/** The {@code vspam-agent} command. */
public final class VspamAgent {
    private VspamAgent() {
    }

    public static void main(String[] args) {
        System.exit(VspamCommand.commandLine(System.getenv()).execute(args));
    }
}
