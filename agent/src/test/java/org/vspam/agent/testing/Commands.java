package org.vspam.agent.testing;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a system program the tests drive and returns what it printed. */
public final class Commands {
    private Commands() {
    }

    /** Runs {@code command}; a non-zero exit status is an error. */
    public static String run(List<String> command) throws IOException, InterruptedException {
        return run(command, true);
    }

    /** Runs {@code command}; with {@code checked} false its exit status is left to the caller to judge from the output. */
    public static String run(List<String> command, boolean checked) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IOException(String.join(" ", command) + " did not finish");
        }
        if (checked && process.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed (" + process.exitValue() + "): " + output);
        }
        return output;
    }

    /**
     * An SMTP conversation up to RCPT with swaks, as a transcript ({@code <** 550 ...} for a refusal).
     * {@code clientAddress}, when given, is set with XCLIENT so a listed client IP can be tested from loopback.
     */
    public static String swaksRcpt(int port, String sender, String clientAddress) throws IOException, InterruptedException {
        return swaksRcpt(port, sender, clientAddress, null);
    }

    /** As {@link #swaksRcpt(int, String, String)}, with {@code login} set as the SASL login name through XCLIENT. */
    public static String swaksRcpt(int port, String sender, String clientAddress, String login) throws IOException, InterruptedException {
        return swaksRcpt(port, sender, "user@example.org", clientAddress, login);
    }

    /** As {@link #swaksRcpt(int, String, String, String)}, to {@code recipient}. */
    public static String swaksRcpt(int port, String sender, String recipient, String clientAddress, String login)
            throws IOException, InterruptedException {
        Tools.require("swaks", "apt-get install swaks");
        String from = sender.isEmpty() ? "<>" : sender; // swaks would prompt for an empty --from
        List<String> command = new ArrayList<>(List.of("swaks", "--server", "127.0.0.1:" + port, "--from", from,
                "--to", recipient, "--helo", "mail.example.com", "--quit-after", "RCPT", "--timeout", "30"));
        if (clientAddress != null) {
            command.addAll(List.of("--xclient", "ADDR=" + clientAddress + " NAME=mail.example.com" + (login == null ? "" : " LOGIN=" + login)));
        }
        return run(command, false); // swaks exits non-zero for a refused RCPT: the transcript says what happened
    }
}
