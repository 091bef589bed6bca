package org.vspam.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The controls' keys: allow-lists, actions, mode, replies, as agent.yml and VSPAM_* write them. */
class ControlsSettingsTest {

    private static AgentConfig yaml(String text) throws ConfigException {
        return AgentConfigLoader.parse(text, "agent.yml", Map.of());
    }

    private static Optional<InetAddress> ip(String text) {
        return ClientRange.address(text);
    }

    @Test
    void theDefaultsAreTodaysBehaviour() throws Exception {
        AgentConfig config = AgentConfigLoader.defaults();
        assertThat(config.mode()).isEqualTo(Mode.ENFORCE);
        assertThat(config.failureAction()).isEqualTo(FailureAction.DUNNO);
        assertThat(config.skipAuthenticated()).isTrue();
        assertThat(config.allowList().isEmpty()).isTrue();
        for (Family family : Family.values()) {
            assertThat(config.actions().of(family)).as(family.key()).isEqualTo(family == Family.SUSPICIOUS ? Action.ALLOW : Action.REJECT);
        }
        assertThat(config.rejectMessage()).isEqualTo("550 Message rejected: sender listed in vspam.org (phishing)");
    }

    @Test
    void clientRangesMatchAtTheirEdges() throws Exception {
        AllowList list = yaml("allow_clients: [192.0.2.0/24, 198.51.100.7, \"2001:db8::/32\", 10.0.0.0/8, 0.0.0.0/0]").allowList();
        assertThat(list.clients()).hasSize(5);
        ClientRange range = list.clients().getFirst();
        assertThat(range.contains(ip("192.0.2.0").orElseThrow())).isTrue();
        assertThat(range.contains(ip("192.0.2.255").orElseThrow())).isTrue();
        assertThat(range.contains(ip("192.0.3.0").orElseThrow())).isFalse();
        assertThat(range.contains(ip("192.0.1.255").orElseThrow())).isFalse();
        ClientRange one = list.clients().get(1);
        assertThat(one.contains(ip("198.51.100.7").orElseThrow())).isTrue();
        assertThat(one.contains(ip("198.51.100.8").orElseThrow())).isFalse();
        ClientRange v6 = list.clients().get(2);
        assertThat(v6.contains(ip("2001:db8:ffff::1").orElseThrow())).isTrue();
        assertThat(v6.contains(ip("2001:0DB8::0001").orElseThrow())).as("written in another form").isTrue();
        assertThat(v6.contains(ip("2001:db9::1").orElseThrow())).isFalse();
        assertThat(v6.contains(ip("192.0.2.1").orElseThrow())).as("an IPv4 client is not in an IPv6 range").isFalse();
        assertThat(list.clients().get(3).contains(ip("10.255.255.255").orElseThrow())).isTrue();
        assertThat(list.clients().get(4).contains(ip("203.0.113.9").orElseThrow())).as("/0 is everything").isTrue();
        // Postfix sends IPv4-mapped and bracketed forms too.
        assertThat(range.contains(ip("::ffff:192.0.2.9").orElseThrow())).isTrue();
        assertThat(ip("[2001:db8::1]")).isPresent();
        assertThat(ip("unknown")).isEmpty();
        assertThat(ip("mail.example.org")).as("a name is never resolved").isEmpty();
    }

    @Test
    void aBadRangeIsOneLineNamingTheKey() {
        assertThatThrownBy(() -> yaml("allow_clients: [192.0.2.0/33]")).isInstanceOf(ConfigException.class)
                .hasMessage("allow_clients: \"192.0.2.0/33\" has \"192.0.2.0/33\", whose prefix length is not 0 to 32 (from agent.yml)");
        assertThatThrownBy(() -> yaml("allow_clients: mail.example.org")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("allow_clients: \"mail.example.org\" has \"mail.example.org\", which is not an IP address or CIDR range");
    }

    @Test
    void sendersMatchTheirDomainItsSubdomainsAndWholeAddresses() throws Exception {
        AllowList list = yaml("allow_senders: [Example.ORG, postmaster@partner.example, bücher.example]").allowList();
        assertThat(list.match(Optional.empty(), "alice@example.org", "example.org")).hasValue("allow_senders: Example.ORG");
        assertThat(list.match(Optional.empty(), "bob@mx.EXAMPLE.org", "mx.EXAMPLE.org")).hasValue("allow_senders: Example.ORG");
        assertThat(list.match(Optional.empty(), "eve@badexample.org", "badexample.org")).as("not a subdomain").isEmpty();
        assertThat(list.match(Optional.empty(), "eve@example.org.evil.net", "example.org.evil.net")).isEmpty();
        assertThat(list.match(Optional.empty(), "PostMaster@partner.example", "partner.example")).hasValue("allow_senders: postmaster@partner.example");
        assertThat(list.match(Optional.empty(), "sales@partner.example", "partner.example")).as("only that address").isEmpty();
        assertThat(list.match(Optional.empty(), "a@xn--bcher-kva.example", "xn--bcher-kva.example")).hasValue("allow_senders: bücher.example");
        assertThat(list.match(Optional.empty(), "a@BÜCHER.example", "BÜCHER.example")).hasValue("allow_senders: bücher.example");
        assertThat(list.match(Optional.empty(), "", "")).as("a bounce has no sender to allow").isEmpty();
    }

    @Test
    void anAllowFileWarnsPerBadLineAndKeepsTheRest(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("allow.txt"), """
                # partners
                partner.example     # and its subdomains
                192.0.2.0/24
                not a valid entry
                2001:db8::/33
                300.1.1.1
                """);
        List<String> warnings = new ArrayList<>();
        AllowList list = AllowList.read(file, warnings::add);
        assertThat(list.senders()).extracting(AddressRule::written).containsExactly("partner.example");
        assertThat(list.clients()).extracting(ClientRange::written).containsExactly("192.0.2.0/24", "2001:db8::/33");
        assertThat(warnings).containsExactly(
                "allow_file " + file + ":4: \"not a valid entry\", which is not a domain or an address (e.g. example.org, postmaster@example.org); the line is left out",
                "allow_file " + file + ":6: \"300.1.1.1\", which is not an IP address or CIDR range (e.g. 192.0.2.0/24, 2001:db8::/32); the line is left out");
        assertThat(list.match(ip("192.0.2.77"), "", "")).hasValue("allow_file " + file + ":3: 192.0.2.0/24");
    }

    /** RFC 2142: abuse@ and postmaster@ at any domain by default; an allow_file names recipients with "recipient:". */
    @Test
    void recipientsAllowedByDefaultAreTheRoleAddressesAndALocalPartIsNoSenderEntry(@TempDir Path dir) throws Exception {
        AllowList defaults = yaml("").allowList();
        assertThat(defaults.matchRecipient(List.of("user@example.org", "Abuse@Example.ORG"))).hasValue("allow_recipients: abuse@");
        assertThat(defaults.matchRecipient(List.of("postmaster@mail.example.net"))).hasValue("allow_recipients: postmaster@");
        assertThat(defaults.matchRecipient(List.of("abuse-team@example.org", "user@abuse.example"))).isEmpty();
        assertThat(yaml("allow_recipients: []\n").allowList().matchRecipient(List.of("abuse@example.org"))).as("turned off").isEmpty();

        AllowList desks = yaml("allow_recipients: [security@example.org, phish-reports.example]\n").allowList();
        assertThat(desks.matchRecipient(List.of("security@example.org"))).hasValue("allow_recipients: security@example.org");
        assertThat(desks.matchRecipient(List.of("anyone@phish-reports.example"))).hasValue("allow_recipients: phish-reports.example");
        assertThat(desks.matchRecipient(List.of("abuse@example.org"))).as("the list replaces the default").isEmpty();

        assertThatThrownBy(() -> yaml("allow_senders: [abuse@]\n")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("\"abuse@\", which is not a domain or an address");

        Path file = Files.writeString(dir.resolve("allow.txt"), "recipient: reports@example.org\nRecipient:phish@\npartner.example\n");
        AllowList fromFile = AllowList.read(file, warning -> { });
        assertThat(fromFile.matchRecipient(List.of("phish@anywhere.example"))).hasValue("allow_file " + file + ":2: phish@");
        assertThat(fromFile.matchRecipient(List.of("reports@example.org"))).hasValue("allow_file " + file + ":1: reports@example.org");
        assertThat(fromFile.senders()).extracting(AddressRule::written).containsExactly("partner.example");
    }

    @Test
    void categoriesFoldIntoFamiliesAsTheDnsblAndRspamdDo() {
        assertThat(Family.of("phishing_url")).isEqualTo(Family.PHISHING);
        assertThat(Family.of("credential_harvest")).isEqualTo(Family.PHISHING);
        assertThat(Family.of("malware_domain")).isEqualTo(Family.MALWARE);
        assertThat(Family.of("botnet_c2")).isEqualTo(Family.BOTNET);
        assertThat(Family.of("spam_source")).isEqualTo(Family.SPAM);
        assertThat(Family.of("blacklist_ip")).isEqualTo(Family.SPAM);
        assertThat(Family.of("tor_exit_node")).isEqualTo(Family.TOR);
        assertThat(Family.of("tor_exit")).as("the DNSBL's word").isEqualTo(Family.TOR);
        assertThat(Family.of("Phishing")).isEqualTo(Family.PHISHING);
        assertThat(Family.of("quantum_phishing")).as("unknown is still a listing").isEqualTo(Family.THREAT);
        assertThat(Family.of("aggregated_threat")).isEqualTo(Family.THREAT);
    }

    @Test
    void actionsAreAMappingOrTheEnvironmentsPairs() throws Exception {
        Actions fromYaml = yaml("actions:\n  spam: prepend\n  tor: defer\n  suspicious: prepend\n").actions();
        assertThat(fromYaml.of(Family.SPAM)).isEqualTo(Action.PREPEND);
        assertThat(fromYaml.of(Family.TOR)).isEqualTo(Action.DEFER);
        assertThat(fromYaml.of(Family.SUSPICIOUS)).isEqualTo(Action.PREPEND);
        assertThat(fromYaml.of(Family.PHISHING)).as("unnamed keeps its default").isEqualTo(Action.REJECT);
        Actions fromEnv = AgentConfigLoader.parse("", "agent.yml", Map.of("VSPAM_ACTIONS", "spam=allow,malware=defer")).actions();
        assertThat(fromEnv.of(Family.SPAM)).isEqualTo(Action.ALLOW);
        assertThat(fromEnv.of(Family.MALWARE)).isEqualTo(Action.DEFER);
        assertThatThrownBy(() -> yaml("actions: {spam: drop}")).hasMessage(
                "actions: \"spam=drop\" has \"drop\", which is not an action (expected reject, defer, prepend, allow) (from agent.yml)");
        assertThatThrownBy(() -> yaml("actions: {spammy: reject}")).hasMessageContaining("names \"spammy\", which is not a category family");
    }

    @Test
    void theDelistUrlIsPrintedAsWritten() throws Exception {
        AgentConfig config = yaml("delist_url: https://delist.example.org/\nreject_message: \"550 listed; see {delist_url}\"\n");
        assertThat(config.rejectReply().render("phishing_url", "phish.example.net", config.delistUrl()))
                .isEqualTo("550 listed; see https://delist.example.org/");
        assertThat(yaml("delist_url: \" https://delist.example.org/form?lang=en \"").delistUrl()).isEqualTo("https://delist.example.org/form?lang=en");
    }

    @Test
    void repliesAreCheckedForTheirActionAndPlaceholders() throws Exception {
        AgentConfig config = yaml("""
                reject_message: "554 5.7.1 {indicator} is listed as {category}; see {delist_url}"
                defer_message: "Try later: {category}"
                delist_url: https://delist.example/form
                """);
        assertThat(config.rejectReply().render("phishing_url", "phish.example.net", config.delistUrl()))
                .isEqualTo("554 5.7.1 phish.example.net is listed as phishing_url; see https://delist.example/form");
        assertThat(config.deferReply().hasCode()).isFalse();
        assertThat(config.rejectReply().render("a\r\nb", "x", "u")).as("a value cannot break the line").doesNotContain("\r", "\n");
        assertThatThrownBy(() -> yaml("reject_message: \"450 later\"")).hasMessage(
                "reject_message: \"450 later\" starts with the reply code 450, which must be 5xx here (a 4xx refusal is defer_message's) (from agent.yml)");
        assertThatThrownBy(() -> yaml("defer_message: \"550 no\"")).hasMessageContaining("which must be 4xx here");
        assertThatThrownBy(() -> yaml("reject_message: \"550 {domain} listed\"")).hasMessageContaining(
                "uses {domain}; the placeholders are {category}, {indicator} and {delist_url}");
        assertThatThrownBy(() -> yaml("header_name: \"X Vspam:\"")).hasMessageContaining("header_name: \"X Vspam:\" is not a header name");
        assertThatThrownBy(() -> yaml("mode: audit")).hasMessage("mode: \"audit\" is not one of enforce or monitor (from agent.yml)");
        assertThatThrownBy(() -> yaml("failure_action: reject")).hasMessage("failure_action: \"reject\" is not one of dunno or defer (from agent.yml)");
    }

    @Test
    void aReloadNamesWhatChangedAndNeverHoldsASecretInTheClear() throws Exception {
        AgentConfig before = yaml("api_key: vspam_secret_one\nmode: enforce\n");
        AgentConfig after = yaml("api_key: vspam_secret_two\nmode: monitor\nlisten: tcp://127.0.0.1:20045\n");
        assertThat(before.changedIn(after)).containsExactlyInAnyOrder(Setting.API_KEY, Setting.MODE, Setting.LISTEN);
        assertThat(before.changedIn(yaml("api_key: vspam_secret_one\n"))).isEmpty();
        assertThat(after.toString()).doesNotContain("vspam_secret_two");
        assertThat(Setting.MODE.live()).isTrue();
        assertThat(Setting.LISTEN.live()).isFalse();
    }
}
