package org.vspam.agent.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.vspam.agent.cache.CachedVerdict;
import org.vspam.agent.cache.Finding;
import org.vspam.agent.decision.Controls;
import org.vspam.agent.decision.Listing;
import org.vspam.agent.decision.MailQuery;
import org.vspam.agent.decision.Outcome;
import org.vspam.agent.decision.Transport;
import org.vspam.agent.indicator.Indicator;
import org.vspam.agent.lookup.Source;
import org.vspam.agent.verdict.ThreatDetails;
import org.vspam.agent.verdict.Verdict;
import org.vspam.config.Action;
import org.vspam.config.AgentConfigLoader;
import org.vspam.config.AllowList;
import org.vspam.config.ConfigException;

/** Outcomes as Postfix hears them: every action word, the texts' placeholders, a header that stays one header. */
class PolicyActionTest {

    private static Controls controls(String yaml) throws ConfigException {
        return Controls.of(AgentConfigLoader.parse(yaml, "agent.yml", Map.of()), AllowList.EMPTY);
    }

    private static Listing listed(String indicator, String category) {
        Verdict verdict = new Verdict.Listed(category, ThreatDetails.ofCategory(category));
        return Listing.of(new Finding.Answered(Indicator.domain(indicator), new CachedVerdict(verdict, Source.API, 0), Source.API));
    }

    private static String wire(Controls controls, Outcome outcome) {
        return PolicyAction.of(outcome, controls.replies()).wireText();
    }

    @Test
    void theDefaultsAnswerAsBefore() throws Exception {
        Controls defaults = controls("");
        assertThat(wire(defaults, defaults.conclude(Optional.of(listed("phish.example.net", "phishing_url")), false)))
                .isEqualTo("action=550 Message rejected: sender listed in vspam.org (phishing)\n\n");
        assertThat(wire(defaults, defaults.conclude(Optional.empty(), false))).isEqualTo("action=DUNNO\n\n");
        assertThat(wire(defaults, defaults.conclude(Optional.empty(), true))).as("fail-open").isEqualTo("action=DUNNO\n\n");
    }

    @Test
    void everyActionHasItsWireText() throws Exception {
        Controls controls = controls("""
                actions: {phishing: reject, malware: defer, spam: prepend, tor: allow}
                reject_message: "Go away: {indicator} ({category})"
                defer_message: "Later, {category}; {delist_url}"
                """);
        assertThat(wire(controls, controls.conclude(Optional.of(listed("phish.example.net", "phishing_url")), false)))
                .isEqualTo("action=REJECT Go away: phish.example.net (phishing_url)\n\n");
        assertThat(wire(controls, controls.conclude(Optional.of(listed("malware.example.net", "malware_domain")), false)))
                .isEqualTo("action=DEFER_IF_PERMIT Later, malware_domain; https://vspam.org/delist\n\n");
        assertThat(wire(controls, controls.conclude(Optional.of(listed("spammy.example.net", "spam_source")), false)))
                .isEqualTo("action=PREPEND X-Vspam: listed; category=spam_source; indicator=domain\n\n");
        assertThat(wire(controls, controls.conclude(Optional.of(listed("tornode.example.net", "tor_exit_node")), false)))
                .isEqualTo("action=DUNNO\n\n");
    }

    @Test
    void monitorModeTagsWhatItWouldRefuseAndFailureDeferDelaysTheUnchecked() throws Exception {
        Controls monitor = controls("mode: monitor\nheader_name: X-Vspam-Trial\n");
        Outcome outcome = monitor.conclude(Optional.of(listed("phish.example.net", "phishing_url")), false);
        assertThat(outcome).isEqualTo(new Outcome.Tag(new Outcome.Why.Listed(listed("phish.example.net", "phishing_url")), Optional.of(Action.REJECT)));
        assertThat(wire(monitor, outcome)).isEqualTo("action=PREPEND X-Vspam-Trial: listed; category=phishing_url; indicator=domain\n\n");

        Controls strict = controls("failure_action: defer\n");
        assertThat(wire(strict, strict.conclude(Optional.empty(), true)))
                .as("nothing listed: the sender is not told it is").isEqualTo("action=451 4.7.1 Message deferred: it could not be checked now; try again later\n\n");
        assertThat(wire(strict, strict.conclude(Optional.empty(), false))).as("checked and clean").isEqualTo("action=DUNNO\n\n");
    }

    @Test
    void aCategoryCannotBreakOutOfItsHeader() throws Exception {
        Controls controls = controls("actions: {threat: prepend}");
        String wire = wire(controls, controls.conclude(Optional.of(listed("x.example.net", "evil\r\nX-Injected: yes " + "a".repeat(500))), false));
        assertThat(wire).startsWith("action=PREPEND X-Vspam: listed; category=evil__X-Injected__yes_aaa").endsWith("\n\n");
        assertThat(wire.strip()).doesNotContain("\r", "\n");
        assertThat(wire.length()).isLessThan(300);
    }

    @Test
    void allowListsAndLoginsAreScreenedBeforeAnyLookup() throws Exception {
        Controls controls = controls("allow_clients: [\"192.0.2.0/24\"]\nallow_senders: [postmaster@example.org]\n");
        assertThat(controls.screen(query("a@b.example", "b.example", "192.0.2.9", ""), Transport.POLICY))
                .hasValue(new Outcome.Allow(new Outcome.Why.AllowedByList("allow_clients: 192.0.2.0/24")));
        assertThat(controls.screen(query("postmaster@example.org", "example.org", "198.51.100.1", ""), Transport.POLICY))
                .hasValue(new Outcome.Allow(new Outcome.Why.AllowedByList("allow_senders: postmaster@example.org")));
        assertThat(controls.screen(query("a@b.example", "b.example", "198.51.100.1", "alice"), Transport.POLICY))
                .hasValue(new Outcome.Allow(new Outcome.Why.Authenticated("alice")));
        assertThat(controls("skip_authenticated: false").screen(query("a@b.example", "b.example", "198.51.100.1", "alice"), Transport.POLICY))
                .isEmpty();
        assertThat(controls.screen(query("a@b.example", "b.example", "198.51.100.1", ""), Transport.POLICY)).isEmpty();
    }

    /**
     * RFC 2142's desks get their mail: Postfix asks per recipient, so abuse@ is not looked up (DUNNO); a message
     * for abuse@ among others is looked up and, where it would have been refused or deferred, tagged instead.
     */
    @Test
    void anAllowedRecipientIsNotLookedUpPerRecipientAndAMessageForItIsTaggedNotRefused() throws Exception {
        Controls controls = controls("");
        MailQuery toAbuse = query("a@b.example", "b.example", "198.51.100.1", "").to(List.of("Abuse@example.org"));
        assertThat(controls.screen(toAbuse, Transport.POLICY)).hasValue(new Outcome.Allow(new Outcome.Why.AllowedByList("allow_recipients: abuse@")));
        assertThat(wire(controls, controls.screen(toAbuse, Transport.POLICY).orElseThrow())).isEqualTo("action=DUNNO\n\n");
        assertThat(controls.screen(toAbuse, Transport.MILTER)).as("a message is looked up").isEmpty();
        assertThat(controls.screen(toAbuse.to(List.of("user@example.org")), Transport.POLICY)).isEmpty();

        Listing phish = listed("phish.example.net", "phishing_url");
        MailQuery message = toAbuse.to(List.of("user@example.org", "abuse@example.org"));
        assertThat(controls.spares(message)).isTrue();
        assertThat(controls.conclude(Optional.of(phish), false, true)).isEqualTo(new Outcome.Tag(new Outcome.Why.Listed(phish), Optional.of(Action.REJECT)));
        assertThat(controls("failure_action: defer").conclude(Optional.empty(), true, true)).isEqualTo(new Outcome.Allow(Outcome.Why.UNCHECKED));
        assertThat(controls.conclude(Optional.of(phish), false, false)).isEqualTo(new Outcome.Refuse(new Outcome.Why.Listed(phish)));
        assertThat(controls.spares(message.to(List.of("user@example.org")))).isFalse();
        assertThat(controls("allow_recipients: []").spares(message)).as("turned off").isFalse();
    }

    private static MailQuery query(String sender, String senderDomain, String client, String login) {
        return MailQuery.envelope(sender, senderDomain, client, login, List.of());
    }
}
