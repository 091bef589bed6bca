package org.vspam.agent.indicator;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Each link written the way phishing kits write it, with the host a browser would open (or none). */
class LinkHostsTest {

    static Stream<Arguments> hostsAsABrowserOpensThem() {
        return Stream.of(
                // plain forms, as before
                Arguments.of("https://Login.Example.COM./x", "url", "login.example.com"),
                Arguments.of("http://exa_mple.com/", "url", "exa_mple.com"),
                Arguments.of("www.portal.example.net/login", "url", "www.portal.example.net"),
                Arguments.of("phish.example.net:8080/x", "url", "phish.example.net"),
                Arguments.of("  https://phish.example.net  ", "url", "phish.example.net"),
                // percent-encoded host characters
                Arguments.of("https://%70%68%69%73%68.example.net/", "url", "phish.example.net"),
                Arguments.of("https://ph%49sh.example.net/", "url", "phish.example.net"),
                Arguments.of("https://b%C3%BCcher.example/", "url", "bücher.example"),
                // UTS #46: full-width letters and stops, ideographic full stop, ignored characters, punycode
                Arguments.of("https://ｐｈｉｓｈ．ｅｘａｍｐｌｅ．ｎｅｔ/login", "url", "phish.example.net"),
                Arguments.of("https://phish。example。net/", "url", "phish.example.net"),
                Arguments.of("https://phish｡example｡net/", "url", "phish.example.net"),
                Arguments.of("https://phi\u00ADsh.example.net/", "url", "phish.example.net"),
                Arguments.of("https://phi\u200Bsh.example.net/", "url", "phish.example.net"),
                Arguments.of("https://phi\u200Dsh.example.net/", "url", "phish.example.net"),
                Arguments.of("https://PHISH.Example.NET/", "url", "phish.example.net"),
                Arguments.of("https://BÜCHER.example/", "url", "bücher.example"),
                Arguments.of("https://xn--bcher-kva.example/", "url", "bücher.example"),
                Arguments.of("https://XN--BCHER-KVA.example/", "url", "bücher.example"),
                Arguments.of("https://faß.example/", "url", "faß.example"),
                // IPv4 in every form a browser accepts
                Arguments.of("http://3405803842/", "ip", "203.0.113.66"),
                Arguments.of("http://0xCB007142/", "ip", "203.0.113.66"),
                Arguments.of("http://0313.0.0161.0102/", "ip", "203.0.113.66"),
                Arguments.of("http://0xcb.0x0.0x71.0x42/", "ip", "203.0.113.66"),
                Arguments.of("http://203.0.28994/", "ip", "203.0.113.66"),
                Arguments.of("http://203.28994/", "ip", "203.0.113.66"),
                Arguments.of("http://203.0.113.66./", "ip", "203.0.113.66"),
                Arguments.of("http://２０３．０．１１３．６６/", "ip", "203.0.113.66"),
                Arguments.of("http://%32%30%33.0.113.66/", "ip", "203.0.113.66"),
                Arguments.of("https://[2001:DB8::66]:443/", "ip", "2001:db8::66"),
                Arguments.of("203.0.113.66", "ip", "203.0.113.66"),
                Arguments.of("2001:DB8::66", "ip", "2001:db8::66"),
                Arguments.of("http:///phish.example.net", "url", "phish.example.net"),
                // slashes, backslashes, user information, tabs and newlines
                Arguments.of("https:\\\\phish.example.net\\login", "url", "phish.example.net"),
                Arguments.of("https:/\\phish.example.net", "url", "phish.example.net"),
                Arguments.of("https:phish.example.net/x", "url", "phish.example.net"),
                Arguments.of("HTTPS:////phish.example.net", "url", "phish.example.net"),
                Arguments.of("//phish.example.net/login", "url", "phish.example.net"),
                Arguments.of("https://paypal.com@phish.example.net/", "url", "phish.example.net"),
                Arguments.of("https://paypal.com:secure@evil@phish.example.net:8443/", "url", "phish.example.net"),
                Arguments.of("ht\ttps://phi\nsh.exam\r\nple.net/", "url", "phish.example.net"),
                Arguments.of("https://phish.example.net?x=1", "url", "phish.example.net"),
                Arguments.of("https://phish.example.net#top", "url", "phish.example.net"));
    }

    @ParameterizedTest
    @MethodSource
    void hostsAsABrowserOpensThem(String link, String kind, String host) {
        Indicator expected = kind.equals("ip") ? new Indicator(Indicator.Kind.IP, host) : new Indicator(Indicator.Kind.URL, host);
        assertThat(LinkHosts.host(link)).as(link).contains(expected);
    }

    static Stream<String> noHostABrowserWouldOpen() {
        return Stream.of("mailto:alice@example.org", "tel:+15550100", "javascript:alert(1)", "cid:part1.abc@example.org",
                "data:text/html,<a href=https://phish.example.net>", "https://", "https:///", "https://exa mple.com/",
                "https://paypal.com%40phish.example.net/", "https://phish.example.net:port/", "https://%ff.example/",
                "http://203.0.113.256/", "http://1.2.3.4.5/", "http://0x1g.example.0x/", "https://[2001:db8::66/",
                "https://phish<example.net/", "https://a..b.example/", "", "   ", "https://" + "x".repeat(5000) + ".example/");
    }

    @ParameterizedTest
    @MethodSource
    void noHostABrowserWouldOpen(String link) {
        assertThat(LinkHosts.host(link)).as(link).isEmpty();
        assertThat(LinkHosts.hosts(link)).as(link).isEmpty();
    }

    static Stream<Arguments> aRedirectorsTargetIsALinkToo() {
        return Stream.of(
                Arguments.of("https://clean.example/redirect?u=https%3A%2F%2Fphish.example.net%2Flogin",
                        List.of("clean.example", "phish.example.net")),
                Arguments.of("https://clean.example/r?u=https%253A%252F%252Fphish.example.net", List.of("clean.example", "phish.example.net")),
                Arguments.of("https://clean.example/?u=https://phish.example.net&next=https://other.example.org/",
                        List.of("clean.example", "phish.example.net", "other.example.org")),
                Arguments.of("https://clean.example/#https://phish.example.net/", List.of("clean.example", "phish.example.net")),
                Arguments.of("https://web.example/web/2024/https://phish.example.net/", List.of("web.example", "phish.example.net")),
                Arguments.of("https://a.example/?u=https%3A%2F%2Fb.example%2F%3Fu%3Dhttps%253A%252F%252Fc.example",
                        List.of("a.example", "b.example", "c.example")),
                Arguments.of("https://clean.example/?u=https%3A%2F%2Fclean.example%2F", List.of("clean.example")),
                Arguments.of("https://clean.example/docs/http-and-https", List.of("clean.example")));
    }

    @ParameterizedTest
    @MethodSource
    void aRedirectorsTargetIsALinkToo(String link, List<String> hosts) {
        assertThat(LinkHosts.hosts(link)).extracting(Indicator::value).as(link).containsExactlyElementsOf(hosts);
    }

    /** One host, one hash, however it was written: the hash is of the lower-case Unicode form, DNS gets punycode. */
    @ParameterizedTest
    @MethodSource("spellingsOfOneHost")
    void everySpellingIsOneIndicator(String link) {
        Indicator host = LinkHosts.host(link).orElseThrow();
        assertThat(host.sha256()).isEqualTo(Indicator.urlHost("bücher.example").sha256());
        assertThat(host.asciiName()).isEqualTo("xn--bcher-kva.example");
    }

    static Stream<String> spellingsOfOneHost() {
        return Stream.of("https://bücher.example/", "https://BÜCHER.EXAMPLE/", "https://xn--bcher-kva.example/",
                "https://b%C3%BCcher.example/", "https://ｂüｃｈｅｒ．example/", "https://bu\u0308cher.example/");
    }
}
