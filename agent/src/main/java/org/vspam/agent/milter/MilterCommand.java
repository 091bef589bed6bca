package org.vspam.agent.milter;

import java.util.List;
import java.util.Map;

/** One packet from the MTA, decoded: a command and its data (libmilter's {@code SMFIC_*}). */
sealed interface MilterCommand {

    /** {@code O}: the MTA's protocol version, the actions it allows and the steps it can leave out. */
    record Negotiate(int version, int actions, int protocol) implements MilterCommand {
    }

    /** {@code D}: macros for the command named by {@code stage} ({@code {client_addr}}, {@code {auth_authen}}, ...). */
    record Macros(char stage, Map<String, String> values) implements MilterCommand {
    }

    /**
     * {@code C}: a client connected. {@code family} is {@code 4} or {@code 6} for an IP address, {@code L}
     * for a unix socket and {@code U} when unknown, in which case the address is empty.
     */
    record Connect(String hostname, char family, int port, String address) implements MilterCommand {
    }

    /** {@code M}: MAIL FROM, its address first (in angle brackets as sent), then its ESMTP parameters. */
    record Mail(List<String> arguments) implements MilterCommand {
    }

    /** {@code R}: RCPT TO, its address first (in angle brackets as sent), then its ESMTP parameters. */
    record Recipient(List<String> arguments) implements MilterCommand {
    }

    /** {@code L}: one header of the message. */
    record Header(String name, String value) implements MilterCommand {
    }

    /** {@code N}: the end of the headers. */
    record EndOfHeaders() implements MilterCommand {
    }

    /** {@code B}: a piece of the body, split wherever the MTA chose. */
    record Body(byte[] chunk) implements MilterCommand {
    }

    /** {@code E}: the end of the message, sometimes with the body's last piece; the answer is due now. */
    record EndOfMessage(byte[] chunk) implements MilterCommand {
    }

    /** {@code A}: the message is abandoned; the connection goes on with the next one. */
    record Abort() implements MilterCommand {
    }

    /** {@code Q}: the conversation is over. */
    record Quit() implements MilterCommand {
    }

    /** {@code K}: the conversation is over and another client's starts on the same connection. */
    record QuitNewConnection() implements MilterCommand {
    }

    /** {@code H}, {@code T}, {@code U} and commands of later versions: nothing the agent uses, answered "continue". */
    record Other(char code) implements MilterCommand {
    }
}
