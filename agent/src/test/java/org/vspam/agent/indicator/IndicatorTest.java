package org.vspam.agent.indicator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class IndicatorTest {

    @Test
    void theSpecExampleNormalizesAndHashes() {
        Indicator indicator = Indicator.domain("  Phish.Example.NET. ");

        assertThat(indicator).isEqualTo(new Indicator(Indicator.Kind.DOMAIN, "phish.example.net"));
        // echo -n phish.example.net | sha256sum
        assertThat(indicator.sha256()).isEqualTo("09aafd2b4d639b2837f58718fe44b682ee54034328e52da908131cd808384cca");
    }

    @ParameterizedTest
    @CsvSource({
        "192.0.2.1, 192.0.2.1",
        "[192.0.2.1], 192.0.2.1",
        "2001:0DB8::0001, 2001:db8::1",
        "[2001:db8:0:0:0:0:0:1], 2001:db8::1",
        "'[IPv6:2001:db8::1]', 2001:db8::1",
        "::ffff:203.0.113.66, 203.0.113.66",
        "2001:db8:0:0:1:0:0:1, 2001:db8::1:0:0:1",
        "0.0.0.0, 0.0.0.0",
        "255.255.255.255, 255.255.255.255",
        "' 198.51.100.7. ', 198.51.100.7",
    })
    void ipAddressesTakeTheirCanonicalForm(String raw, String canonical) {
        assertThat(Indicator.ip(raw).value()).isEqualTo(canonical);
    }

    @Test
    void anAddressLiteralSenderDomainIsAnIp() {
        assertThat(Indicator.domain("[203.0.113.66]")).isEqualTo(new Indicator(Indicator.Kind.IP, "203.0.113.66"));
    }

    @Test
    void aUrlHostIsLookedUpLikeADomainButReportedAsAUrl() {
        assertThat(Indicator.urlHost("Phish.Example.net")).isEqualTo(new Indicator(Indicator.Kind.URL, "phish.example.net"));
        assertThat(Indicator.urlHost("[2001:db8::66]").kind()).isEqualTo(Indicator.Kind.IP);
    }

    @Test
    void internationalNamesKeepUnicodeForTheHashAndPunycodeForDns() {
        Indicator indicator = Indicator.domain("BÜCHER.example");
        assertThat(indicator.value()).isEqualTo("bücher.example");
        assertThat(indicator.asciiName()).isEqualTo("xn--bcher-kva.example");
    }

    @Test
    void nonsenseIsRejectedWithAShortReason() {
        assertThatThrownBy(() -> Indicator.ip("999.1.1.1")).hasMessage("\"999.1.1.1\" is not an IP address");
        assertThatThrownBy(() -> Indicator.ip("phish.example.net")).isInstanceOf(InvalidIndicatorException.class);
        assertThatThrownBy(() -> Indicator.domain("a b.example")).hasMessage("\"a b.example\" is not a domain name");
        assertThatThrownBy(() -> Indicator.domain("a..example")).isInstanceOf(InvalidIndicatorException.class);
        assertThatThrownBy(() -> Indicator.domain("x".repeat(254))).hasMessageEndingWith("is longer than a DNS name can be");
        assertThatThrownBy(() -> Indicator.domain(" . ")).hasMessage("empty value");
    }

    /** Dotted numbers, well and badly formed, come out as the general parser and formatter make them, or are refused as they refuse them. */
    @Test
    void dottedAddressesAgreeWithTheGeneralNormalForm() throws Exception {
        Random random = new Random(4);
        String[] pieces = {"0", "1", "9", "10", "01", "001", "99", "100", "199", "255", "256", "999", "1000", "", "a"};
        for (int round = 0; round < 20_000; round++) {
            StringBuilder text = new StringBuilder();
            int parts = 1 + random.nextInt(6);
            for (int i = 0; i < parts; i++) {
                text.append(i == 0 ? "" : ".").append(pieces[random.nextInt(pieces.length)]);
            }
            String raw = text.toString();
            byte[] bytes = NetUtil.createByteArrayFromIpAddressString(raw.replaceAll("\\.+$", "")); // trailing dots go, as from names
            if (bytes == null || raw.replace(".", "").isEmpty()) {
                assertThatThrownBy(() -> Indicator.ip(raw)).as(raw).isInstanceOf(InvalidIndicatorException.class);
            } else {
                assertThat(Indicator.ip(raw).value()).as(raw).isEqualTo(NetUtil.toAddressString(InetAddress.getByAddress(bytes)));
            }
        }
    }
}
