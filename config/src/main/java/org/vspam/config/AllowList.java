package org.vspam.config;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Clients and senders that are never looked up ({@code allow_clients}, {@code allow_senders} and the
 * lines of {@code allow_file}): mail from them is let through as it would be without the agent. And
 * recipients whose mail is never refused ({@code allow_recipients}): an abuse desk receives the
 * phishing it is sent to look at.
 */
public record AllowList(List<ClientRange> clients, List<AddressRule> senders, List<AddressRule> recipients) {
    public static final AllowList EMPTY = new AllowList(List.of(), List.of(), List.of());
    /** How an allow_file line names a recipient: {@code recipient: abuse@example.org}. */
    public static final String RECIPIENT_PREFIX = "recipient:";

    public AllowList {
        clients = List.copyOf(clients);
        senders = List.copyOf(senders);
        recipients = List.copyOf(recipients);
    }

    /** True when no client or sender is allowed (recipients are looked at apart, see {@link #matchRecipient}). */
    public boolean isEmpty() {
        return clients.isEmpty() && senders.isEmpty();
    }

    public AllowList and(AllowList other) {
        return new AllowList(Stream.concat(clients.stream(), other.clients.stream()).toList(),
                Stream.concat(senders.stream(), other.senders.stream()).toList(),
                Stream.concat(recipients.stream(), other.recipients.stream()).toList());
    }

    /** The entry that names one of these recipients, as {@code origin: entry}, if one does. */
    public Optional<String> matchRecipient(List<String> addresses) {
        for (String address : addresses) {
            int at = address.lastIndexOf('@');
            String domain = at < 0 ? "" : address.substring(at + 1);
            for (AddressRule rule : recipients) {
                if (rule.matches(address, domain)) {
                    return Optional.of(rule.origin() + ": " + rule.written());
                }
            }
        }
        return Optional.empty();
    }

    /** The entry that allows this client or sender, as {@code origin: entry}, if one does. */
    public Optional<String> match(Optional<InetAddress> client, String sender, String senderDomain) {
        if (client.isPresent()) {
            for (ClientRange range : clients) {
                if (range.contains(client.get())) {
                    return Optional.of(range.origin() + ": " + range.written());
                }
            }
        }
        if (!senderDomain.isEmpty()) {
            for (AddressRule rule : senders) {
                if (rule.matches(sender, senderDomain)) {
                    return Optional.of(rule.origin() + ": " + rule.written());
                }
            }
        }
        return Optional.empty();
    }

    /**
     * The entries of an allow file, one a line, {@code #} comments; an address or range is a client,
     * {@code recipient: abuse@example.org} a recipient, anything else a sender. A line that is neither is left out and told to {@code warnings}
     * (file and line), so one typo does not drop the rest. An unreadable file is an IOException.
     */
    public static AllowList read(Path file, Consumer<String> warnings) throws IOException {
        List<ClientRange> clients = new ArrayList<>();
        List<AddressRule> senders = new ArrayList<>();
        List<AddressRule> recipients = new ArrayList<>();
        List<String> lines = Files.readAllLines(file);
        for (int number = 1; number <= lines.size(); number++) {
            String line = lines.get(number - 1);
            int hash = line.indexOf('#');
            String entry = (hash < 0 ? line : line.substring(0, hash)).strip();
            if (entry.isEmpty()) {
                continue;
            }
            String origin = Setting.ALLOW_FILE.key() + " " + file + ":" + number;
            try {
                if (entry.regionMatches(true, 0, RECIPIENT_PREFIX, 0, RECIPIENT_PREFIX.length())) {
                    recipients.add(AddressRule.recipient(entry.substring(RECIPIENT_PREFIX.length()), origin));
                } else if (looksLikeAddress(entry)) {
                    clients.add(ClientRange.parse(entry, origin));
                } else {
                    senders.add(AddressRule.sender(entry, origin));
                }
            } catch (IllegalArgumentException e) {
                warnings.accept(origin + ": " + e.getMessage().replaceFirst("^has ", "") + "; the line is left out");
            }
        }
        return new AllowList(clients, senders, recipients);
    }

    private static boolean looksLikeAddress(String entry) {
        return entry.contains(":") || entry.matches("[0-9./]+");
    }

    static List<ClientRange> clients(String text) {
        return split(text).map(entry -> ClientRange.parse(entry, Setting.ALLOW_CLIENTS.key())).toList();
    }

    static List<AddressRule> senders(String text) {
        return split(text).map(entry -> AddressRule.sender(entry, Setting.ALLOW_SENDERS.key())).toList();
    }

    static List<AddressRule> recipients(String text) {
        return split(text).map(entry -> AddressRule.recipient(entry, Setting.ALLOW_RECIPIENTS.key())).toList();
    }

    private static Stream<String> split(String text) {
        return Stream.of(text.split("[,\\s]+")).filter(entry -> !entry.isEmpty());
    }
}
