package org.vspam.agent.cli;

import io.micronaut.context.ApplicationContext;
import io.netty.util.NetUtil;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.vspam.agent.Agent;
import org.vspam.agent.cache.CachedVerdict;
import org.vspam.agent.cache.Finding;
import org.vspam.agent.decision.Controls;
import org.vspam.agent.decision.LiveControls;
import org.vspam.agent.decision.Listing;
import org.vspam.agent.decision.MailQuery;
import org.vspam.agent.decision.Outcome;
import org.vspam.agent.decision.Transport;
import org.vspam.agent.indicator.Indicator;
import org.vspam.agent.indicator.InvalidIndicatorException;
import org.vspam.agent.lookup.Lookup;
import org.vspam.agent.lookup.LookupChain;
import org.vspam.agent.observe.LogOutput;
import org.vspam.agent.policy.PolicyAction;
import org.vspam.agent.shared.SharedCache;
import org.vspam.agent.verdict.ThreatDetails;
import org.vspam.agent.verdict.Verdict;
import org.vspam.config.AgentConfig;
import org.vspam.config.ConfigException;
import org.vspam.config.LogFormat;
import org.vspam.config.LogLevel;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;

/**
 * {@code vspam-agent check <domain | ip | address>}: asks the agent's lookup chain (shared cache,
 * vspam.org API, DNSBL), as configured, and shows what each source said and how long it took —
 * what an operator runs when a customer asks why their mail was refused.
 */
final class CheckCommand implements Callable<Integer> {
    static final int EXIT_CLEAN = 0;
    static final int EXIT_LISTED = 1;
    static final int EXIT_UNCHECKED = 2;
    /** The shared cache is asked only once connected; a Redis that does not answer this soon is reported as such. */
    private static final Duration REDIS_CONNECT_WAIT = Duration.ofSeconds(3);
    private static final String MESSAGE = "--message";
    private static final String RCPT = "--rcpt";

    final CommandSpec spec;
    private final VspamCommand parent;

    CheckCommand(VspamCommand parent) {
        this.parent = parent;
        this.spec = VspamCommand.helpOptions(CommandSpec.wrapWithoutInspection(this).name("check"))
                .addPositional(PositionalParamSpec.builder().paramLabel("DOMAIN|IP|ADDRESS").arity("0..1").type(String.class)
                        .description("a sender domain, a client IP address, or an e-mail address (its domain is checked)").build())
                .addOption(OptionSpec.builder(MESSAGE).paramLabel("FILE.eml").type(Path.class)
                        .description("a saved message, headers and body: its sender (Return-Path, else From) and the hosts of the links in its body")
                        .build())
                .addOption(OptionSpec.builder(RCPT).paramLabel("ADDRESS").type(String[].class).auxiliaryTypes(String.class).arity("1")
                        .description("an envelope recipient (repeatable): one in allow_recipients (abuse@, postmaster@) is not "
                                + "looked up for Postfix, and a message for one is never refused")
                        .build());
        Map<String, String> exitCodes = new LinkedHashMap<>();
        exitCodes.put("0", "allowed, tagged or not looked up");
        exitCodes.put("1", "listed: the daemon refuses or defers such mail");
        exitCodes.put("2", "could not be checked");
        exitCodes.put("78", "configuration error");
        spec.usageMessage()
                .description("Look a sender domain, client IP or e-mail address up the way the daemon does, and explain the verdict.",
                        "With --message, explain the verdict on a saved message as the milter gives it: its sender and the hosts of its links.")
                .exitCodeListHeading("%nExit status:%n")
                .exitCodeList(exitCodes);
    }

    @Override
    public Integer call() {
        String subject = spec.positionalParameters().getFirst().getValue();
        Path message = spec.findOption(MESSAGE).getValue();
        PrintWriter out = parent.spec.commandLine().getOut();
        PrintWriter err = parent.spec.commandLine().getErr();
        AgentConfig config;
        try {
            config = parent.loadConfig();
        } catch (ConfigException e) {
            err.println("vspam-agent: " + e.getMessage());
            return VspamCommand.EXIT_CONFIG;
        }
        String[] given = spec.findOption(RCPT).getValue();
        List<String> recipients = given == null ? List.of() : List.of(given);
        if (message != null) {
            return new MessageCheck(config, out, err).explain(message, recipients);
        }
        if (subject == null) {
            throw new ParameterException(spec.commandLine(), "check needs a domain, an IP address or an e-mail address, or --message FILE.eml");
        }
        Indicator indicator;
        try {
            indicator = indicator(subject);
        } catch (InvalidIndicatorException e) {
            err.println("vspam-agent: cannot check \"" + subject + "\": " + e.getMessage());
            return EXIT_UNCHECKED;
        }
        // Only warnings and errors interrupt the explanation, unless the operator asked for debug.
        LogOutput.apply(config.logLevel() == LogLevel.DEBUG ? LogLevel.DEBUG : LogLevel.WARN, LogFormat.TEXT);
        try (ApplicationContext context = Agent.context(config, Map.of())) {
            Controls controls = context.getBean(LiveControls.class).get();
            // Screened as the policy service screens what Postfix asks (per recipient), which "Postfix hears" tells.
            Optional<Outcome> screened = controls.screen(query(subject.strip(), indicator).to(recipients), Transport.POLICY);
            if (screened.isPresent()) {
                // The same controls as the daemon's, before any lookup.
                out.println("verdict: not looked up — " + notLookedUp(screened.get().why()));
                out.println("Postfix hears: " + PolicyAction.of(screened.get(), controls.replies()).wireText().strip());
                return EXIT_CLEAN;
            }
            LookupChain chain = context.getBean(LookupChain.class);
            if (chain.order().isEmpty()) {
                err.println("vspam-agent: nothing to ask: the API is disabled (api_url is empty), dnsbl_enabled is false and no redis_url is set");
                return EXIT_UNCHECKED;
            }
            // A method reference, not a lambda taking a SharedCache: picocli reads this class's methods at every
            // start, and a lambda's parameter would load the Redis client's classes in every configuration.
            context.findBean(SharedCache.class).map(SharedCache::firstAttempt).ifPresent(attempt ->
                    attempt.completeOnTimeout(false, REDIS_CONNECT_WAIT.toMillis(), TimeUnit.MILLISECONDS).join());
            out.printf("checking %s %s (asked as sha256 %s)%n", indicator.kind().iocType(), indicator.value(), indicator.sha256());
            out.flush();
            LookupChain.Result result = chain.lookup(indicator).join();
            result.steps().forEach(step -> out.println(describe(step)));
            return conclude(result, indicator, controls, out);
        }
    }

    /** What the operator typed: an address's domain, an IP address, or a domain. */
    static Indicator indicator(String subject) {
        String value = subject.strip();
        if (value.indexOf('@') >= 0) {
            return Indicator.domain(Indicator.domainOrAddress(value));
        }
        String bare = value.startsWith("[") && value.endsWith("]") ? value.substring(1, value.length() - 1) : value;
        return NetUtil.isValidIpV4Address(bare) || NetUtil.isValidIpV6Address(bare) ? Indicator.ip(bare) : Indicator.domain(value);
    }

    static String describe(LookupChain.Step step) {
        String said = switch (step.lookup()) {
            case Lookup.Answered answered -> answered.verdict().label() + details(answered.verdict());
            case Lookup.Skipped skipped -> skipped.reason().label() + (skipped.detail().isEmpty() ? "" : " (" + skipped.detail() + ")");
        };
        return String.format(Locale.ROOT, "  %-13s %9.1f ms  %s", step.lookup().source().label(), step.nanos() / 1e6, said);
    }

    private static String details(Verdict verdict) {
        ThreatDetails details = switch (verdict) {
            case Verdict.Listed listed -> listed.details();
            case Verdict.Suspicious suspicious -> suspicious.details();
            case Verdict.Clean clean -> null;
        };
        if (details == null) {
            return "";
        }
        StringBuilder text = new StringBuilder();
        if (details.category() != null) {
            text.append(" category=").append(details.category());
        }
        if (details.effectiveDecision() != null && details.effectiveDecision().verdict() != null) {
            text.append(" decision=").append(details.effectiveDecision().verdict());
            if (details.effectiveDecision().source() != null) {
                text.append(" (").append(details.effectiveDecision().source()).append(')');
            }
        }
        if (details.scoring() != null && details.scoring().score() != null) {
            text.append(" score=").append(details.scoring().score());
        }
        return text.toString();
    }

    /** The request the daemon would see for this subject: a sender address, a sender domain or a client address. */
    private static MailQuery query(String subject, Indicator indicator) {
        return indicator.kind() == Indicator.Kind.IP
                ? new MailQuery("", "", indicator.value(), "", List.of(), List.of(indicator))
                : new MailQuery(subject.indexOf('@') >= 0 ? subject : "", indicator.value(), "", "", List.of(), List.of(indicator));
    }

    private static String notLookedUp(Outcome.Why why) {
        return switch (why) {
            case Outcome.Why.AllowedByList allowed -> "allowed by " + allowed.entry();
            case Outcome.Why.Authenticated authenticated -> "authenticated as " + authenticated.username();
            default -> why.kind().label();
        };
    }

    /** The chain's answer through the daemon's controls: the same outcome, and the same words to Postfix. */
    private static int conclude(LookupChain.Result result, Indicator indicator, Controls controls, PrintWriter out) {
        if (result.answer().isEmpty()) {
            Outcome outcome = controls.conclude(Optional.empty(), true);
            out.println("verdict: unknown — no source could answer; the daemon " + (outcome instanceof Outcome.Defer
                    ? "defers such mail (failure_action: defer)" : "allows such mail (fail-open)"));
            out.println("Postfix hears: " + PolicyAction.of(outcome, controls.replies()).wireText().strip());
            return EXIT_UNCHECKED;
        }
        Lookup.Answered answer = result.answer().get();
        String by = ", answered by " + answer.source().label();
        Finding.Answered finding = new Finding.Answered(indicator, new CachedVerdict(answer.verdict(), answer.source(), 0), answer.source());
        Optional<Listing> listing = Listing.from(finding);
        Outcome outcome = controls.conclude(listing, false);
        String hears = "Postfix hears: " + PolicyAction.of(outcome, controls.replies()).wireText().strip();
        boolean refused = outcome instanceof Outcome.Refuse || outcome instanceof Outcome.Defer;
        switch (answer.verdict()) {
            case Verdict.Listed listed -> out.println("verdict: listed (" + listed.category() + ")" + by
                    + (refused ? "" : "; action " + outcome.word().label() + " (actions: " + listing.get().family().key() + "="
                            + controls.actionFor(listing.get()).word() + ", mode: " + controls.mode().name().toLowerCase(Locale.ROOT) + ")"));
            case Verdict.Suspicious suspicious -> out.println("verdict: suspicious (" + suspicious.category() + "), not listed" + by
                    + (outcome instanceof Outcome.Allow ? "; mail is allowed" : "; action " + outcome.word().label()));
            case Verdict.Clean clean -> out.println("verdict: clean" + by);
        }
        out.println(hears);
        return refused ? EXIT_LISTED : EXIT_CLEAN;
    }
}
