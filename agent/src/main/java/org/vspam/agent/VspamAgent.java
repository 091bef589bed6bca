package org.vspam.agent;

import org.vspam.agent.api.ApiHttpClient;
import org.vspam.agent.cli.VspamCommand;

/** The {@code vspam-agent} command. */
public final class VspamAgent {
    private VspamAgent() {
    }

    public static void main(String[] args) {
        ApiHttpClient.allowBasicProxyAuthentication(); // before the JDK's HTTP client reads its net properties
        System.exit(VspamCommand.commandLine(System.getenv()).execute(args));
    }
}
