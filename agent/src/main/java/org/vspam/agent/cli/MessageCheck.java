package org.vspam.agent.cli;

import io.micronaut.context.ApplicationContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.vspam.agent.Agent;
import org.vspam.agent.cache.CachedVerdict;
import org.vspam.agent.cache.Finding;
import org.vspam.agent.decision.Controls;
import org.vspam.agent.decision.LiveControls;
import org.vspam.agent.decision.MailQuery;
import org.vspam.agent.decision.Outcome;
import org.vspam.agent.decision.Transport;
import org.vspam.agent.indicator.Indicator;
import org.vspam.agent.lookup.LookupChain;
import org.vspam.agent.milter.MessageScan;
import org.vspam.agent.milter.MilterReply;
import org.vspam.agent.observe.LogOutput;
import org.vspam.config.AgentConfig;
import org.vspam.config.LogFormat;
import org.vspam.config.LogLevel;

/**
 * {@code vspam-agent check --message FILE.eml}: the milter's verdict on a saved message, explained —
 * its sender's domain and each link host, what every source said about them, which one decided, and
 * what the MTA was told. What a postmaster attaches to a false-positive report.
 */
final class MessageCheck {
    /** The envelope sender a delivered message records; a saved draft has only its From. */
    private static final Pattern RETURN_PATH = Pattern.compile("(?im)^Return-Path:\\s*<([^>]*)>");
    private static final Pattern FROM = Pattern.compile("(?im)^From:[^\\n]*?<?([^\\s<>\"@]+@[^\\s<>\"]+?)>?\\s*$");

    private final AgentConfig config;
    private final PrintWriter out;
    private final PrintWriter err;

    MessageCheck(AgentConfig config, PrintWriter out, PrintWriter err) {
        this.config = config;
        this.out = out;
        this.err = err;
    }

    int explain(Path file, List<String> recipients) {
        byte[] message;
        try {
            message = Files.readAllBytes(file);
        } catch (IOException e) {
            err.println("vspam-agent: cannot read the message " + file + ": " + e.getMessage());
            return CheckCommand.EXIT_UNCHECKED;
        }
        String sender = sender(message);
        MessageScan.Links links;
        try (InputStream in = Files.newInputStream(file)) {
            links = MessageScan.read(in, config.milter().maxUrls(), config.milter().maxBody(), host -> { });
        } catch (IOException e) {
            err.println("vspam-agent: cannot read the message " + file + ": " + e.getMessage());
            return CheckCommand.EXIT_UNCHECKED;
        }
        MailQuery query = MailQuery.envelope(sender, Indicator.domainOf(sender), "", "", recipients).with(links.hosts());
        out.printf("message %s: sender %s%s, %d link host%s%s%n", file, sender.isEmpty() ? "unknown" : sender,
                recipients.isEmpty() ? "" : ", for " + String.join(", ", recipients), links.hosts().size(),
                links.hosts().size() == 1 ? "" : "s", limits(links));
        LogOutput.apply(config.logLevel() == LogLevel.DEBUG ? LogLevel.DEBUG : LogLevel.WARN, LogFormat.TEXT);
        try (ApplicationContext context = Agent.context(config, Map.of())) {
            Controls controls = context.getBean(LiveControls.class).get();
            Optional<Outcome> screened = controls.screen(query, Transport.MILTER);
            if (screened.isPresent()) {
                return told(screened.get(), controls, Set.of(), "not looked up (" + screened.get().why().kind().label() + ")");
            }
            LookupChain chain = context.getBean(LookupChain.class);
            List<Finding> findings = new ArrayList<>();
            boolean unchecked = false;
            for (Indicator indicator : query.indicators()) {
                out.printf("checking %s %s%n", indicator.kind() == Indicator.Kind.URL ? "link host" : indicator.kind().iocType(), indicator.value());
                out.flush();
                LookupChain.Result result = chain.lookup(indicator).join();
                result.steps().forEach(step -> out.println(CheckCommand.describe(step)));
                if (result.answer().isPresent()) {
                    findings.add(new Finding.Answered(indicator, new CachedVerdict(result.answer().get().verdict(), result.answer().get().source(), 0),
                            result.answer().get().source()));
                } else {
                    unchecked = true;
                    findings.add(new Finding.Unanswered(indicator));
                }
            }
            boolean spared = controls.spares(query);
            Outcome outcome = controls.conclude(controls.decisive(findings), unchecked, spared);
            String verdict = outcome.listing()
                    .map(listing -> "listed: " + listing.finding().indicator().value() + " (" + listing.category() + ")")
                    .orElse(unchecked ? "unknown: not every indicator could be checked" : "clean");
            if (spared && outcome instanceof Outcome.Tag tag && tag.withheld().isPresent()) {
                verdict += "; not refused: a recipient is allowed (" + controls.allowList().matchRecipient(recipients).orElseThrow() + ")";
            }
            return told(outcome, controls, Set.copyOf(links.hosts()), verdict);
        }
    }

    private int told(Outcome outcome, Controls controls, Set<Indicator> links, String verdict) {
        out.println("verdict: " + verdict);
        out.println("the MTA " + MilterReply.describe(MilterReply.of(outcome, controls.replies(), links)));
        return switch (outcome) {
            case Outcome.Refuse refuse -> CheckCommand.EXIT_LISTED;
            case Outcome.Defer defer -> outcome.listing().isPresent() ? CheckCommand.EXIT_LISTED : CheckCommand.EXIT_UNCHECKED;
            default -> outcome.why() instanceof Outcome.Why.Unchecked ? CheckCommand.EXIT_UNCHECKED : CheckCommand.EXIT_CLEAN;
        };
    }

    private static String limits(MessageScan.Links links) {
        String skipped = links.skippedHosts() == 0 ? "" : ", " + links.skippedHosts() + " more not checked (milter_max_urls)";
        return skipped + (links.truncated() ? ", text beyond milter_max_body not read" : "");
    }

    /** The envelope sender: Return-Path, else the From address; empty for a bounce or when neither is there. */
    private static String sender(byte[] message) {
        String text = new String(message, 0, Math.min(message.length, 64 * 1024), StandardCharsets.ISO_8859_1).replace("\r\n", "\n");
        int end = text.indexOf("\n\n");
        String headers = end < 0 ? text : text.substring(0, end);
        Matcher returnPath = RETURN_PATH.matcher(headers);
        if (returnPath.find()) {
            return returnPath.group(1).strip();
        }
        Matcher from = FROM.matcher(headers);
        return from.find() ? from.group(1) : "";
    }
}
