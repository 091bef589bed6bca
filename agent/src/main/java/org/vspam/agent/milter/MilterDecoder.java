package org.vspam.agent.milter;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Milter framing and decoding: a 4-byte length in network order, a command byte and its data, in which
 * strings end with a NUL. A length outside 1 to {@link #MAX_PACKET} bytes or data that does not fit
 * its command throws {@link MilterProtocolException}, which closes that connection only.
 */
final class MilterDecoder extends ByteToMessageDecoder {
    /**
     * The largest packet taken: Postfix and Sendmail send body pieces of at most 64 KiB (libmilter's
     * largest build takes 1 MiB); a larger length is a broken or hostile peer, never buffered.
     */
    static final int MAX_PACKET = 1 << 20;

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (in.readableBytes() < 4) {
            return;
        }
        long length = in.getUnsignedInt(in.readerIndex());
        if (length < 1 || length > MAX_PACKET) {
            throw new MilterProtocolException("a packet of " + length + " bytes (at most " + MAX_PACKET + " are taken)");
        }
        if (in.readableBytes() < 4 + length) {
            return;
        }
        in.skipBytes(4);
        char code = (char) in.readUnsignedByte();
        ByteBuf data = in.readSlice((int) length - 1);
        out.add(command(code, data));
    }

    private static MilterCommand command(char code, ByteBuf data) {
        return switch (code) {
            case 'O' -> {
                if (data.readableBytes() < 12) {
                    throw new MilterProtocolException("an option negotiation of " + data.readableBytes() + " bytes (12 expected)");
                }
                yield new MilterCommand.Negotiate(data.readInt(), data.readInt(), data.readInt());
            }
            case 'D' -> macros(data);
            case 'C' -> connect(data);
            case 'M' -> new MilterCommand.Mail(strings(data));
            case 'R' -> new MilterCommand.Recipient(strings(data));
            case 'L' -> {
                List<String> header = strings(data);
                if (header.size() != 2) {
                    throw new MilterProtocolException("a header packet with " + header.size() + " strings (a name and a value expected)");
                }
                yield new MilterCommand.Header(header.get(0), header.get(1));
            }
            case 'N' -> new MilterCommand.EndOfHeaders();
            case 'B' -> new MilterCommand.Body(ByteBufUtil.getBytes(data));
            case 'E' -> new MilterCommand.EndOfMessage(ByteBufUtil.getBytes(data));
            case 'A' -> new MilterCommand.Abort();
            case 'Q' -> new MilterCommand.Quit();
            case 'K' -> new MilterCommand.QuitNewConnection();
            default -> new MilterCommand.Other(code);
        };
    }

    private static MilterCommand macros(ByteBuf data) {
        if (!data.isReadable()) {
            throw new MilterProtocolException("a macro packet without the command it is for");
        }
        char stage = (char) data.readUnsignedByte();
        List<String> pairs = strings(data);
        Map<String, String> values = new LinkedHashMap<>();
        for (int i = 0; i + 1 < pairs.size(); i += 2) {
            values.put(pairs.get(i), pairs.get(i + 1));
        }
        return new MilterCommand.Macros(stage, values);
    }

    /** hostname NUL, family, then for an IP family a 2-byte port and the address NUL. */
    private static MilterCommand connect(ByteBuf data) {
        String hostname = string(data, "connect packet");
        if (!data.isReadable()) {
            throw new MilterProtocolException("a connect packet without an address family");
        }
        char family = (char) data.readUnsignedByte();
        if (family == 'U') {
            return new MilterCommand.Connect(hostname, family, 0, "");
        }
        if (data.readableBytes() < 2) {
            throw new MilterProtocolException("a connect packet without a port");
        }
        int port = data.readUnsignedShort();
        return new MilterCommand.Connect(hostname, family, port, string(data, "connect packet"));
    }

    private static String string(ByteBuf data, String where) {
        int end = data.indexOf(data.readerIndex(), data.writerIndex(), (byte) 0);
        if (end < 0) {
            throw new MilterProtocolException("a " + where + " whose text does not end with a NUL");
        }
        String text = data.toString(data.readerIndex(), end - data.readerIndex(), StandardCharsets.UTF_8);
        data.readerIndex(end + 1);
        return text;
    }

    /** NUL-terminated strings until the data ends; a last one without its NUL counts too. */
    private static List<String> strings(ByteBuf data) {
        List<String> strings = new ArrayList<>(4);
        while (data.isReadable()) {
            int end = data.indexOf(data.readerIndex(), data.writerIndex(), (byte) 0);
            int stop = end < 0 ? data.writerIndex() : end;
            strings.add(data.toString(data.readerIndex(), stop - data.readerIndex(), StandardCharsets.UTF_8));
            data.readerIndex(end < 0 ? stop : end + 1);
        }
        return strings;
    }
}
