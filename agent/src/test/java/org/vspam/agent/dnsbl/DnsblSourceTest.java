package org.vspam.agent.dnsbl;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.vspam.agent.indicator.Indicator;
import org.vspam.agent.lookup.Lookup;
import org.vspam.agent.lookup.Source;
import org.vspam.agent.testing.Rbldnsd;
import org.vspam.agent.testing.ThreatFixtures;
import org.vspam.agent.verdict.Verdict;
import org.vspam.config.HostPort;

/** Against a real DNS server: Debian's rbldnsd serving the fixture zone. */
class DnsblSourceTest {
    private static Rbldnsd rbldnsd;
    private static DnsblSource source;

    @BeforeAll
    static void start() throws Exception {
        rbldnsd = Rbldnsd.start();
        // by name, as operators write it (in a cluster: kube-dns.kube-system.svc:53)
        source = new DnsblSource(Rbldnsd.ZONE, new DnsblResolvers(List.of(new HostPort("localhost", rbldnsd.port())), Duration.ofSeconds(2)));
    }

    @AfterAll
    static void stop() throws Exception {
        rbldnsd.close();
    }

    @ParameterizedTest
    @CsvSource({
        "phish.example.net, phishing",
        "malware.example.net, malware",
        "botnet.example.net, botnet_c2",
        "spammy.example.net, spam",
        "tornode.example.net, tor_exit",
        "dnsbl-only.example.net, aggregated_threat",
        "future.example.net, threat",
    })
    void listedDomainsAnswerWithTheirCategory(String domain, String category) {
        Lookup lookup = source.lookup(Indicator.domain(domain)).join();
        assertThat(lookup).isEqualTo(new Lookup.Answered(Source.DNSBL, new Verdict.Listed(category,
                org.vspam.agent.verdict.ThreatDetails.ofCategory(category))));
    }

    @Test
    void listedIpAddressesBothFamilies() {
        assertThat(source.lookup(Indicator.ip(ThreatFixtures.LISTED_IPV4)).join().outcome()).isEqualTo("listed");
        assertThat(source.lookup(Indicator.ip("2001:DB8:0::66")).join().outcome()).isEqualTo("listed");
    }

    @Test
    void nxdomainIsClean() {
        assertThat(source.lookup(Indicator.domain(ThreatFixtures.CLEAN)).join()).isEqualTo(new Lookup.Answered(Source.DNSBL, Verdict.CLEAN));
        assertThat(source.lookup(Indicator.ip(ThreatFixtures.CLEAN_IP)).join().outcome()).isEqualTo("clean");
    }

    @Test
    void theListsOwnErrorCodeIsNeverAListing() {
        Lookup lookup = source.lookup(Indicator.domain(ThreatFixtures.DNSBL_REFUSED)).join();
        assertThat(lookup).isEqualTo(new Lookup.Skipped(Source.DNSBL, Lookup.Reason.ERROR, "the list refuses queries from localhost:"
                + rbldnsd.port() + " (it answered 127.255.255.254); set dnsbl_resolvers to a resolver of your own"));
    }

    /** A resolver name that does not resolve (yet) is a failing DNSBL, not an agent that cannot start. */
    @Test
    void aResolverNameThatDoesNotResolveIsAFailureNotACrash() {
        try (DnsblResolvers unresolvable = new DnsblResolvers(List.of(new HostPort("resolver.invalid", 53)), Duration.ofSeconds(1))) {
            Lookup lookup = new DnsblSource(Rbldnsd.ZONE, unresolvable).lookup(Indicator.domain(ThreatFixtures.PHISH)).join();
            assertThat(lookup).isEqualTo(new Lookup.Skipped(Source.DNSBL, Lookup.Reason.ERROR, "cannot resolve resolver host \"resolver.invalid\""));
        }
    }

    @Test
    void queryNamesAreAbsoluteAndReversed() throws Exception {
        assertThat(DnsblName.of(Indicator.domain("Phish.Example.net."), "dnsbl.vspam.org")).hasToString("phish.example.net.dnsbl.vspam.org.");
        assertThat(DnsblName.of(Indicator.ip("203.0.113.66"), "dnsbl.vspam.org")).hasToString("66.113.0.203.dnsbl.vspam.org.");
        assertThat(DnsblName.of(Indicator.ip("2001:db8::66"), "dnsbl.vspam.org"))
                .hasToString("6.6.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.dnsbl.vspam.org.");
        assertThat(DnsblName.of(Indicator.domain("bücher.example"), "dnsbl.vspam.org")).hasToString("xn--bcher-kva.example.dnsbl.vspam.org.");
    }

    @Test
    void aServerThatNeverAnswersIsATimeout() throws Exception {
        try (DatagramSocket silent = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            DnsblResolvers resolver = new DnsblResolvers(List.of(new HostPort("127.0.0.1", silent.getLocalPort())), Duration.ofMillis(300));
            Lookup lookup = new DnsblSource(Rbldnsd.ZONE, resolver).lookup(Indicator.domain(ThreatFixtures.PHISH)).join();
            assertThat(lookup).isInstanceOfSatisfying(Lookup.Skipped.class, skipped -> assertThat(skipped.reason()).isEqualTo(Lookup.Reason.TIMEOUT));
        }
    }
}
