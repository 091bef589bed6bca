package org.vspam.agent.milter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Milter framing and codec: packets as Postfix and Sendmail write them, cut anywhere; replies as libmilter writes them. */
class MilterCodecTest {

    private static byte[] packet(char code, String data) {
        byte[] bytes = data.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(5 + bytes.length).putInt(bytes.length + 1).put((byte) code).put(bytes).array();
    }

    @Test
    void commandsDecodedWhereverTheStreamIsCut() {
        ByteBuffer written = ByteBuffer.allocate(200)
                .put(packet('D', "C{client_addr}\0" + "203.0.113.66\0j\0mx.example.org\0"))
                .put(packet('C', "mail.example.com\0" + "4\0\031192.0.2.10\0"))
                .put(packet('M', "<alice@example.com>\0SIZE=100\0"))
                .put(packet('L', "Content-Type\0text/plain\0"))
                .put(packet('B', "body"))
                .flip();
        byte[] stream = new byte[written.remaining()];
        written.get(stream);
        for (int cut = 1; cut < stream.length; cut++) {
            EmbeddedChannel channel = new EmbeddedChannel(new MilterDecoder());
            channel.writeInbound(Unpooled.wrappedBuffer(stream, 0, cut));
            channel.writeInbound(Unpooled.wrappedBuffer(stream, cut, stream.length - cut));
            assertThat(List.of(channel.readInbound(), channel.readInbound(), channel.readInbound(), (Object) channel.readInbound()))
                    .as("cut at %d", cut).containsExactly(
                            new MilterCommand.Macros('C', Map.of("{client_addr}", "203.0.113.66", "j", "mx.example.org")),
                            new MilterCommand.Connect("mail.example.com", '4', 25, "192.0.2.10"),
                            new MilterCommand.Mail(List.of("<alice@example.com>", "SIZE=100")),
                            new MilterCommand.Header("Content-Type", "text/plain"));
            MilterCommand.Body body = channel.readInbound();
            assertThat(new String(body.chunk(), StandardCharsets.UTF_8)).isEqualTo("body");
        }
    }

    @Test
    void lengthsOutsideTheLimitAreRefusedBeforeAnythingIsBuffered() {
        EmbeddedChannel zero = new EmbeddedChannel(new MilterDecoder());
        assertThatThrownBy(() -> zero.writeInbound(Unpooled.wrappedBuffer(ByteBuffer.allocate(4).putInt(0).array())))
                .hasMessageContaining("a packet of 0 bytes");
        EmbeddedChannel huge = new EmbeddedChannel(new MilterDecoder());
        assertThatThrownBy(() -> huge.writeInbound(Unpooled.wrappedBuffer(ByteBuffer.allocate(4).putInt(-1).array())))
                .hasMessageContaining("a packet of 4294967295 bytes (at most 1048576 are taken)");
        EmbeddedChannel connect = new EmbeddedChannel(new MilterDecoder());
        assertThatThrownBy(() -> connect.writeInbound(Unpooled.wrappedBuffer(packet('C', "no terminator"))))
                .hasMessageContaining("connect packet whose text does not end with a NUL");
    }

    @Test
    void repliesAsLibmilterWritesThem() {
        EmbeddedChannel channel = new EmbeddedChannel(new MilterReply.Encoder());
        channel.writeOutbound(new MilterReply.Refuse("550 5.7.1 listed"), new MilterReply.AddHeader("X-Vspam", "listed"), MilterReply.CONTINUE);
        assertThat(bytes(channel.readOutbound())).isEqualTo(packet('y', "550 5.7.1 listed\0"));
        assertThat(bytes(channel.readOutbound())).isEqualTo(packet('h', "X-Vspam\0listed\0"));
        assertThat(bytes(channel.readOutbound())).isEqualTo(packet('c', ""));
    }

    @Test
    void aReplyTextKeepsItsOwnCodesAndGetsThoseOfItsKindWhereItHasNone() {
        assertThat(MilterReply.smtpReply("Message rejected", "550", "5.7.1")).isEqualTo("550 5.7.1 Message rejected");
        assertThat(MilterReply.smtpReply("554 Go away", "550", "5.7.1")).isEqualTo("554 5.7.1 Go away");
        assertThat(MilterReply.smtpReply("451 4.7.25 later", "451", "4.7.1")).isEqualTo("451 4.7.25 later");
    }

    private static byte[] bytes(ByteBuf buffer) {
        byte[] bytes = new byte[buffer.readableBytes()];
        buffer.readBytes(bytes);
        buffer.release();
        return bytes;
    }
}
