package org.vspam.agent.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.TooLongFrameException;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.params.ParameterizedTest;

/** Framing and request codec, through Netty's EmbeddedChannel: no sockets. */
class PolicyCodecTest {

    private static EmbeddedChannel channel() {
        return new EmbeddedChannel(new PolicyRequestDecoder());
    }

    private static ByteBuf bytes(String text) {
        return Unpooled.copiedBuffer(text, StandardCharsets.UTF_8);
    }

    @Test
    void decodesARequestWithItsAttributesInAnyOrder() {
        EmbeddedChannel channel = channel();
        channel.writeInbound(bytes("client_address=192.0.2.1\nsender=alice@Phish.Example.NET\nfoo=bar\n"
                + "request=smtpd_access_policy\nprotocol_state=RCPT\nrecipient=bob@example.org\n\n"));

        PolicyRequest request = channel.readInbound();
        assertThat(request.isAccessPolicy()).isTrue();
        assertThat(request.sender()).isEqualTo("alice@Phish.Example.NET");
        assertThat(request.senderDomain()).isEqualTo("Phish.Example.NET");
        assertThat(request.clientAddress()).isEqualTo("192.0.2.1");
        assertThat(request.saslUsername()).as("an attribute not sent is empty").isEmpty();
        assertThat(request.malformed()).isNull();
        assertThat((Object) channel.readInbound()).isNull();
    }

    @Test
    void aRequestSplitAcrossReadsIsReassembled() {
        EmbeddedChannel channel = channel();
        channel.writeInbound(bytes("request=smtpd_acc"));
        channel.writeInbound(bytes("ess_policy\nsender=a@exa"));
        assertThat((Object) channel.readInbound()).isNull();
        channel.writeInbound(bytes("mple.net\nclient_address=2001:db8::1\n"));
        channel.writeInbound(bytes("\n"));

        PolicyRequest request = channel.readInbound();
        assertThat(request.senderDomain()).isEqualTo("example.net");
        assertThat(request.clientAddress()).as("IPv6 comes without brackets").isEqualTo("2001:db8::1");
    }

    /** Every place a read can end, in LF and CRLF requests, two on one connection (the second must not merge into the first). */
    @ParameterizedTest
    @ValueSource(strings = {"\n", "\r\n"})
    void everySplitPointFramesBothRequests(String eol) {
        String two = "request=smtpd_access_policy" + eol + "sender=a@phish.example.net" + eol + eol
                + "request=smtpd_access_policy" + eol + "sender=b@clean.example.org" + eol + eol;
        for (int split = 1; split < two.length(); split++) {
            EmbeddedChannel channel = channel();
            channel.writeInbound(bytes(two.substring(0, split)));
            channel.writeInbound(bytes(two.substring(split)));
            assertThat(((PolicyRequest) channel.readInbound()).senderDomain()).as("split at %d", split).isEqualTo("phish.example.net");
            assertThat(((PolicyRequest) channel.readInbound()).senderDomain()).as("split at %d", split).isEqualTo("clean.example.org");
            assertThat((Object) channel.readInbound()).as("split at %d", split).isNull();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"\n", "\r\n"})
    void oneBytePerWriteFramesEachRequest(String eol) {
        String two = "request=smtpd_access_policy" + eol + "sender=a@phish.example.net" + eol + eol
                + "request=smtpd_access_policy" + eol + "sender=b@clean.example.org" + eol + eol;
        EmbeddedChannel channel = channel();
        for (char c : two.toCharArray()) {
            channel.writeInbound(bytes(String.valueOf(c)));
        }
        assertThat(((PolicyRequest) channel.readInbound()).senderDomain()).isEqualTo("phish.example.net");
        assertThat(((PolicyRequest) channel.readInbound()).senderDomain()).isEqualTo("clean.example.org");
        assertThat((Object) channel.readInbound()).isNull();
    }

    /** A lone empty line (printf '\n' by hand) is a request of its own, answered, never merged into the next. */
    @ParameterizedTest
    @ValueSource(strings = {"\n", "\r\n"})
    void anEmptyRequestIsARequestOfItsOwn(String eol) {
        EmbeddedChannel channel = channel();
        channel.writeInbound(bytes(eol));
        PolicyRequest empty = channel.readInbound();
        assertThat(empty.isAccessPolicy()).isFalse();
        assertThat(empty.sender()).isEmpty();

        channel.writeInbound(bytes(eol + "request=smtpd_access_policy" + eol + "sender=a@phish.example.net" + eol + eol));
        assertThat(((PolicyRequest) channel.readInbound()).isAccessPolicy()).isFalse();
        assertThat(((PolicyRequest) channel.readInbound()).senderDomain()).isEqualTo("phish.example.net");
        assertThat((Object) channel.readInbound()).isNull();
    }

    @Test
    void severalRequestsInOneReadComeOutInOrder() {
        EmbeddedChannel channel = channel();
        channel.writeInbound(bytes("request=smtpd_access_policy\nsender=a@one.example\n\n"
                + "request=smtpd_access_policy\nsender=b@two.example\n\nrequest=smtpd_access_policy\r\nsender=c@three.example\r\n\r\n"));

        assertThat(((PolicyRequest) channel.readInbound()).senderDomain()).isEqualTo("one.example");
        assertThat(((PolicyRequest) channel.readInbound()).senderDomain()).isEqualTo("two.example");
        assertThat(((PolicyRequest) channel.readInbound()).senderDomain()).as("CRLF clients too").isEqualTo("three.example");
    }

    @Test
    void emptyAndMissingValuesAreEmptyStrings() {
        EmbeddedChannel channel = channel();
        channel.writeInbound(bytes("request=smtpd_access_policy\nsender=\n\n"));

        PolicyRequest request = channel.readInbound();
        assertThat(request.sender()).as("a bounce").isEmpty();
        assertThat(request.senderDomain()).isEmpty();
        assertThat(request.clientAddress()).as("absent").isEmpty();
    }

    @Test
    void aLineWithoutEqualsSignIsReportedNotFatal() {
        EmbeddedChannel channel = channel();
        channel.writeInbound(bytes("request=smtpd_access_policy\nGET / HTTP/1.0\n=nothing\n\n"));

        PolicyRequest request = channel.readInbound();
        assertThat(request.malformed()).isEqualTo("expected name=value, got \"GET / HTTP/1.0\"");
        assertThat(channel.isActive()).isTrue();
    }

    @Test
    void anOversizedLineFailsTheConnection() {
        EmbeddedChannel channel = channel();
        assertThatThrownBy(() -> channel.writeInbound(bytes("request=smtpd_access_policy\nsender=" + "a".repeat(PolicyRequestDecoder.MAX_LINE_BYTES) + "\n\n")))
                .isInstanceOf(TooLongFrameException.class).hasMessageContaining("line longer than 4096 bytes");
    }

    @Test
    void aLineJustUnderTheLimitIsFine() {
        EmbeddedChannel channel = channel();
        String sender = "a@" + "b".repeat(PolicyRequestDecoder.MAX_LINE_BYTES - "sender=a@".length());
        channel.writeInbound(bytes("request=smtpd_access_policy\nsender=" + sender + "\n\n"));
        assertThat(((PolicyRequest) channel.readInbound()).sender()).isEqualTo(sender);
    }

    @Test
    void anOversizedRequestFailsTheConnection() {
        EmbeddedChannel channel = channel();
        String line = "x_attribute=" + "a".repeat(1000) + "\n";
        assertThatThrownBy(() -> {
            for (int i = 0; i < 70; i++) {
                channel.writeInbound(bytes(line));
            }
        }).isInstanceOf(TooLongFrameException.class).hasMessageContaining("larger than 65536 bytes");
    }

    @Test
    void aRequestJustUnderTheLimitIsFine() {
        EmbeddedChannel channel = channel();
        String line = "x_attribute=" + "a".repeat(987) + "\n"; // 1000 bytes
        for (int i = 0; i < 65; i++) {
            channel.writeInbound(bytes(line));
        }
        channel.writeInbound(bytes("request=smtpd_access_policy\n\n"));
        assertThat(((PolicyRequest) channel.readInbound()).isAccessPolicy()).isTrue();
    }

    @Test
    void actionsRenderToPostfixWireText() {
        assertThat(PolicyAction.DUNNO.wireText()).isEqualTo("action=DUNNO\n\n");
        assertThat(new PolicyAction.Reject("550 Message rejected: sender listed in vspam.org (phishing)").wireText())
                .isEqualTo("action=550 Message rejected: sender listed in vspam.org (phishing)\n\n");
        assertThat(new PolicyAction.Reject("450 4.7.1 try later").wireText()).isEqualTo("action=450 4.7.1 try later\n\n");
        assertThat(new PolicyAction.Reject("Sender listed by vspam.org").wireText()).isEqualTo("action=REJECT Sender listed by vspam.org\n\n");
        assertThat(new PolicyAction.Reject("5500 is not a code").wireText()).isEqualTo("action=REJECT 5500 is not a code\n\n");

        EmbeddedChannel channel = new EmbeddedChannel(new PolicyActionEncoder());
        PolicyAction reject = new PolicyAction.Reject("Sender listed");
        channel.writeOutbound(PolicyAction.DUNNO, reject, PolicyAction.DUNNO, reject);
        StringBuilder written = new StringBuilder();
        for (ByteBuf buffer; (buffer = channel.readOutbound()) != null; buffer.release()) {
            written.append(buffer.toString(StandardCharsets.US_ASCII));
        }
        assertThat(written).hasToString("action=DUNNO\n\naction=REJECT Sender listed\n\naction=DUNNO\n\naction=REJECT Sender listed\n\n");
    }

    @Test
    void answersBeyondTheRememberedOnesAreWrittenToo() {
        EmbeddedChannel channel = new EmbeddedChannel(new PolicyActionEncoder());
        for (int i = 0; i < 100; i++) { // {indicator} in reject_message: a text per sender
            channel.writeOutbound(new PolicyAction.Reject("550 listed: s" + i + ".example.net"));
        }
        for (int i = 0; i < 100; i++) {
            ByteBuf written = channel.readOutbound();
            assertThat(written.toString(StandardCharsets.US_ASCII)).isEqualTo("action=550 listed: s" + i + ".example.net\n\n");
            written.release();
        }
        assertThat((Object) channel.readOutbound()).isNull();
    }

    /** More requests at once than one pass copies out (64 KiB): none is lost or cut at the seam. */
    @Test
    void manyPipelinedRequestsInOneReadAreAllDecoded() {
        EmbeddedChannel channel = channel();
        StringBuilder burst = new StringBuilder();
        for (int i = 0; i < 900; i++) {
            burst.append("request=smtpd_access_policy\nprotocol_state=RCPT\nclient_address=192.0.2.").append(i % 250)
                    .append("\nhelo_name=").append("h".repeat(i % 197)).append(".example\nsender=user@s").append(i).append(".example.org\n\n");
        }
        assertThat(burst.length()).isGreaterThan(2 * 64 * 1024);
        channel.writeInbound(bytes(burst.toString()));
        for (int i = 0; i < 900; i++) {
            assertThat(((PolicyRequest) channel.readInbound()).senderDomain()).isEqualTo("s" + i + ".example.org");
        }
        assertThat((Object) channel.readInbound()).isNull();
    }

    @Test
    void aLineThatCannotEndWithinTheLimitFailsBeforeItsEnd() {
        EmbeddedChannel channel = channel();
        channel.writeInbound(bytes("request=smtpd_access_policy\nsender=" + "a".repeat(2000)));
        assertThatThrownBy(() -> channel.writeInbound(bytes("a".repeat(2200))))
                .isInstanceOf(TooLongFrameException.class).hasMessageContaining("line longer than 4096 bytes");
    }

    /** The eight-bytes-at-a-time search agrees with a plain loop at every offset, length and byte value. */
    @Test
    void theByteSearchFindsTheFirstMatchExactly() {
        Random random = new Random(21);
        for (int round = 0; round < 20_000; round++) {
            byte[] bytes = new byte[random.nextInt(40)];
            for (int i = 0; i < bytes.length; i++) {
                // few distinct values, the high bit among them, so matches and near misses are common
                bytes[i] = (byte) new int[] {'\n', '\n' + 1, '\n' - 1, '=', 0x8a, 0x00, 'a', 0xff}[random.nextInt(8)];
            }
            byte wanted = random.nextBoolean() ? (byte) '\n' : (byte) 0x8a;
            int from = bytes.length == 0 ? 0 : random.nextInt(bytes.length + 1);
            int to = from + random.nextInt(bytes.length - from + 1);
            int expected = -1;
            for (int i = from; i < to && expected < 0; i++) {
                expected = bytes[i] == wanted ? i : -1;
            }
            assertThat(PolicyRequestDecoder.indexOf(bytes, from, to, wanted)).as("round %d", round).isEqualTo(expected);
        }
    }
}
