package org.vspam.agent.milter;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.vspam.agent.indicator.Indicator;

/** The link hosts of a message as a reader would follow them, decoded however the message is built. */
class MessageScanTest {

    private static List<String> hosts(String message) {
        return hosts(message, 20, 1 << 20);
    }

    private static List<String> hosts(String message, int maxUrls, long maxBody) {
        return read(message.replace("\n", "\r\n").getBytes(StandardCharsets.UTF_8), maxUrls, maxBody).hosts().stream()
                .map(Indicator::value).toList();
    }

    private static MessageScan.Links read(byte[] message, int maxUrls, long maxBody) {
        return MessageScan.read(new ByteArrayInputStream(message), maxUrls, maxBody, host -> { });
    }

    @Test
    void plainTextLinksWwwAndBareHostsUnderAKnownTopLevelDomain() {
        assertThat(hosts("""
                Content-Type: text/plain

                Log in at https://Login.Example.COM./x or http://[2001:db8::1]:8080/ and www.portal.example.net today.
                Also paypal-secure.com, but not invoice.pdf, e.g. or alice@mail.example.org.
                """)).containsExactly("login.example.com", "2001:db8::1", "www.portal.example.net", "paypal-secure.com");
    }

    @Test
    void htmlLinksResolvedAgainstTheBaseAndNotTheTextTheyShow() {
        assertThat(hosts("""
                Content-Type: text/html; charset=utf-8

                <html><head><base href="https://base.example.com/app/"></head><body>
                <a href="https://phish.example.net/">https://www.bank.example.org/</a>
                <a href="relative/path">relative</a>
                <img src="https://images.example.net/pixel.gif">
                <form action="https://collect.example.net/post"><input type="password"></form>
                <a href="mailto:someone@example.org">mail</a>
                </body></html>
                """)).containsExactly("base.example.com", "phish.example.net", "images.example.net", "collect.example.net");
    }

    /** Where HTML hides links besides href: its body's text (not the title), a refresh, a style, a background; and links hidden inside links. */
    @Test
    void htmlLinksInTextRefreshStyleAndRedirectors() {
        assertThat(hosts("""
                Content-Type: text/html; charset=utf-8

                <html><head><meta http-equiv="Refresh" content="0; URL='https://refresh.example.net/'">
                <title>Mailbox https://title.example.net</title></head>
                <body background="https://background.example.net/bg.png">
                <p>Confirm at https://in-text.example.net/login or www.also-text.example.org today.</p>
                <a href="//scheme-relative.example.net/x" title="https://tooltip.example.net/">https://shown.example.org/</a>
                <div style="background-image: url(&quot;https://style.example.net/a.png&quot;)">x</div>
                <a href="https://clean.example.com/r?u=https%3A%2F%2Fredirected.example.net%2F">read</a>
                <a href="https://%70hish.example.net/">encoded</a>
                <a href="https://ｆｕｌｌ．example.net/">full width</a>
                <a href="mailto:abuse@example.org">Message-ID: &lt;1234@mail.example.org&gt;</a>
                </body></html>
                """)).containsExactlyInAnyOrder("refresh.example.net", "background.example.net",
                "in-text.example.net", "www.also-text.example.org", "scheme-relative.example.net", "style.example.net",
                "clean.example.com", "redirected.example.net", "phish.example.net", "full.example.net");
    }

    @Test
    void quotedPrintableBase64AndCharsetsAreDecoded() {
        String latin1 = "Content-Type: text/html; charset=iso-8859-1\nContent-Transfer-Encoding: quoted-printable\n\n"
                + "<a href=3D\"https://b=FCcher.exa=\nmple/\">B=FCcher</a>\n";
        assertThat(read(latin1.replace("\n", "\r\n").getBytes(Charset.forName("ISO-8859-1")), 20, 1 << 20).hosts())
                .extracting(Indicator::value).containsExactly("bücher.example");
        String html = "<a href=\"https://encoded.example.net/\">x</a>";
        assertThat(hosts("Content-Type: text/html\nContent-Transfer-Encoding: base64\n\n"
                + Base64.getMimeEncoder().encodeToString(html.getBytes(StandardCharsets.UTF_8)) + "\n")).containsExactly("encoded.example.net");
    }

    @Test
    void nestedMultipartsAndAnAttachedMessage() {
        assertThat(hosts("""
                Content-Type: multipart/mixed; boundary="outer"

                --outer
                Content-Type: multipart/alternative; boundary="inner"

                --inner
                Content-Type: text/plain

                https://first.example.net/
                --inner
                Content-Type: text/html

                <a href="https://second.example.net/">x</a>
                --inner--
                --outer
                Content-Type: application/pdf
                Content-Transfer-Encoding: base64

                aHR0cHM6Ly9ub3QtYS1saW5rLmV4YW1wbGUubmV0Lw==
                --outer
                Content-Type: message/rfc822

                From: someone@example.org
                Content-Type: text/plain

                Forwarded: https://third.example.net/
                --outer--
                """)).containsExactly("first.example.net", "second.example.net", "third.example.net");
    }

    /** Plain text is read a window at a time; a link across a window's end is found whole, not as a host cut short. */
    @Test
    void aLinkAcrossTheEndOfAWindowIsFoundWhole() {
        String text = "Content-Type: text/plain\n\n" + "word ".repeat(3274) + "https://straddle.example.net/path and on "
                + "more ".repeat(20_000) + "https://late.example.org/\n";
        assertThat(hosts(text)).containsExactly("straddle.example.net", "late.example.org");
    }

    @Test
    void beyondTheLimitsTheRestIsCountedNotChecked() {
        StringBuilder body = new StringBuilder("Content-Type: text/plain\n\n");
        for (int i = 0; i < 30; i++) {
            body.append("https://host").append(i).append(".example.com/ https://host0.example.com/\n");
        }
        MessageScan.Links links = read(body.toString().getBytes(StandardCharsets.UTF_8), 20, 1 << 20);
        assertThat(links.hosts()).hasSize(20);
        assertThat(links.skippedHosts()).isEqualTo(10);

        MessageScan.Links cut = read(("Content-Type: text/plain\n\n" + "x".repeat(5_000) + " https://late.example.com/\n")
                .getBytes(StandardCharsets.UTF_8), 20, 4_096);
        assertThat(cut.hosts()).isEmpty();
        assertThat(cut.truncated()).isTrue();
    }

    /** Streamed as the MTA sends it, in pieces cut anywhere, a link split across pieces is found and looked up before the end. */
    @Test
    void aStreamedMessageStartsItsLookupsBeforeItEnds() throws Exception {
        List<Indicator> found = new CopyOnWriteArrayList<>();
        MessageScan scan = MessageScan.start("Content-Type: text/plain\r\n\r\n".getBytes(StandardCharsets.UTF_8), 20, 1 << 20, found::add);
        byte[] first = "First https://early.exa".getBytes(StandardCharsets.UTF_8);
        byte[] second = "mple.net/ then\r\n".getBytes(StandardCharsets.UTF_8);
        assertThat(scan.body(first, () -> { })).isTrue();
        assertThat(scan.body(second, () -> { })).isTrue();
        // a part ends only with the message here (a single part): the host is handed over when it is known
        MessageScan.Links links = scan.finish().get(5, TimeUnit.SECONDS);
        assertThat(links.hosts()).extracting(Indicator::value).containsExactly("early.example.net");
        assertThat(found).extracting(Indicator::value).containsExactly("early.example.net");
    }

    /** Beyond the high-water mark the MTA is held back, and answered once the parser has read below half of it. */
    @Test
    void aBodyThatOutrunsTheParserHoldsTheMtaBack() throws Exception {
        BodyPipe pipe = new BodyPipe();
        int piece = BodyPipe.HIGH_WATER / 4;
        AtomicInteger answered = new AtomicInteger();
        for (int i = 0; i < 4; i++) {
            assertThat(pipe.offer(new byte[piece], answered::incrementAndGet)).as("piece %d answered at once", i).isTrue();
        }
        assertThat(pipe.offer(new byte[piece], answered::incrementAndGet)).as("the piece beyond the mark waits").isFalse();
        byte[] into = new byte[piece];
        pipe.readNBytes(into, 0, piece);
        pipe.readNBytes(into, 0, piece);
        assertThat(answered).as("still above half the mark").hasValue(0);
        pipe.readNBytes(into, 0, 1);
        assertThat(answered).as("answered once the parser caught up").hasValue(1);
        pipe.end();
        assertThat(pipe.readAllBytes()).hasSize(3 * piece - 1);
    }
}
