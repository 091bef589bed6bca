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
 * lines of {@code allow_file}): mail from them is let through as it would be without the agent.
 */
public record AllowList(List<ClientRange> clients, List<SenderRule> senders) {
    public static final AllowList EMPTY = new AllowList(List.of(), List.of());

    public AllowList {
        clients = List.copyOf(clients);
        senders = List.copyOf(senders);
    }

    public boolean isEmpty() {
        return clients.isEmpty() && senders.isEmpty();
    }

    public AllowList and(AllowList other) {
        return new AllowList(Stream.concat(clients.stream(), other.clients.stream()).toList(),
                Stream.concat(senders.stream(), other.senders.stream()).toList());
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
            for (SenderRule rule : senders) {
                if (rule.matches(sender, senderDomain)) {
                    return Optional.of(rule.origin() + ": " + rule.written());
                }
            }
        }
        return Optional.empty();
    }

    /**
     * The entries of an allow file, one a line, {@code #} comments; an address or range is a client,
     * anything else a sender. A line that is neither is left out and told to {@code warnings}
     * (file and line), so one typo does not drop the rest. An unreadable file is an IOException.
     */
    public static AllowList read(Path file, Consumer<String> warnings) throws IOException {
        List<ClientRange> clients = new ArrayList<>();
        List<SenderRule> senders = new ArrayList<>();
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
                if (looksLikeAddress(entry)) {
                    clients.add(ClientRange.parse(entry, origin));
                } else {
                    senders.add(SenderRule.parse(entry, origin));
                }
            } catch (IllegalArgumentException e) {
                warnings.accept(origin + ": " + e.getMessage().replaceFirst("^has ", "") + "; the line is left out");
            }
        }
        return new AllowList(clients, senders);
    }

    private static boolean looksLikeAddress(String entry) {
        return entry.contains(":") || entry.matches("[0-9./]+");
    }

    static List<ClientRange> clients(String text) {
        return split(text).map(entry -> ClientRange.parse(entry, Setting.ALLOW_CLIENTS.key())).toList();
    }

    static List<SenderRule> senders(String text) {
        return split(text).map(entry -> SenderRule.parse(entry, Setting.ALLOW_SENDERS.key())).toList();
    }

    private static Stream<String> split(String text) {
        return Stream.of(text.split("[,\\s]+")).filter(entry -> !entry.isEmpty());
    }
}
