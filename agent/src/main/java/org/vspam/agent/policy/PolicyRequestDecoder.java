package org.vspam.agent.policy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageDecoder;
import io.netty.handler.codec.TooLongFrameException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Turns one framed request (its {@code name=value} lines, the empty line already cut off by
 * {@link PolicyFraming}) into a {@link PolicyRequest}. Attribute order is free and unknown
 * attributes are ignored; a line longer than {@link #MAX_LINE_BYTES} fails the connection.
 */
@ChannelHandler.Sharable
public final class PolicyRequestDecoder extends MessageToMessageDecoder<ByteBuf> {
    public static final PolicyRequestDecoder INSTANCE = new PolicyRequestDecoder();
    public static final int MAX_LINE_BYTES = 4096;

    private PolicyRequestDecoder() {
        super(ByteBuf.class);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf frame, List<Object> out) throws TooLongFrameException {
        // One copy of the request's bytes; names are matched as bytes, and only the values the
        // agent uses become Strings (Postfix sends some 25 attributes, we read 8).
        byte[] bytes = ByteBufUtil.getBytes(frame);
        Attributes attributes = new Attributes();
        int start = 0;
        while (start < bytes.length) {
            int newline = indexOf(bytes, start, bytes.length, (byte) '\n');
            int lineEnd = newline < 0 ? bytes.length : newline;
            int contentEnd = lineEnd > start && bytes[lineEnd - 1] == '\r' ? lineEnd - 1 : lineEnd;
            if (contentEnd - start > MAX_LINE_BYTES) {
                throw new TooLongFrameException("policy request line longer than " + MAX_LINE_BYTES + " bytes");
            }
            if (contentEnd > start) {
                attributes.line(bytes, start, contentEnd);
            }
            start = lineEnd + 1;
        }
        out.add(attributes.toRequest());
    }

    private static int indexOf(byte[] bytes, int from, int to, byte wanted) {
        for (int i = from; i < to; i++) {
            if (bytes[i] == wanted) {
                return i;
            }
        }
        return -1;
    }

    /** The attributes the agent reads, in the order of {@link Attributes#values}. */
    private enum Name {
        REQUEST, PROTOCOL_STATE, SENDER, RECIPIENT, CLIENT_ADDRESS, CLIENT_NAME, HELO_NAME, QUEUE_ID, SASL_USERNAME;

        private static final Name[] ALL = values();
        private final byte[] wire = name().toLowerCase(Locale.ROOT).getBytes(StandardCharsets.US_ASCII);

        /** The attribute named by {@code bytes[start, end)}, or null for one the agent does not use. */
        static Name of(byte[] bytes, int start, int end) {
            for (Name name : ALL) {
                if (Arrays.equals(name.wire, 0, name.wire.length, bytes, start, end)) {
                    return name;
                }
            }
            return null;
        }
    }

    /** The attributes of one request. */
    private static final class Attributes {
        private final String[] values = new String[Name.ALL.length];
        private String malformed;

        void line(byte[] bytes, int start, int end) {
            int equals = indexOf(bytes, start, end, (byte) '=');
            if (equals <= start) {
                malformed(new String(bytes, start, end - start, StandardCharsets.UTF_8));
                return;
            }
            Name name = Name.of(bytes, start, equals);
            if (name != null) { // Postfix sends dozens of attributes; the rest are not ours to use
                values[name.ordinal()] = new String(bytes, equals + 1, end - equals - 1, StandardCharsets.UTF_8);
            }
        }

        void malformed(String line) {
            if (malformed == null) {
                String shown = line.length() > 80 ? line.substring(0, 77) + "..." : line;
                malformed = "expected name=value, got \"" + shown.replaceAll("\\p{Cntrl}", "?") + "\"";
            }
        }

        PolicyRequest toRequest() {
            return new PolicyRequest(value(Name.REQUEST), value(Name.PROTOCOL_STATE), value(Name.SENDER), value(Name.RECIPIENT),
                    value(Name.CLIENT_ADDRESS), value(Name.CLIENT_NAME), value(Name.HELO_NAME), value(Name.QUEUE_ID), value(Name.SASL_USERNAME),
                    malformed);
        }

        private String value(Name name) {
            String value = values[name.ordinal()];
            return value == null ? "" : value;
        }
    }
}
