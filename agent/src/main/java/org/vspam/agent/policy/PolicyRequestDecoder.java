package org.vspam.agent.policy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageDecoder;
import io.netty.handler.codec.TooLongFrameException;
import java.nio.charset.StandardCharsets;
import java.util.List;

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
        Attributes attributes = new Attributes();
        int end = frame.writerIndex();
        int start = frame.readerIndex();
        while (start < end) {
            int newline = frame.indexOf(start, end, (byte) '\n');
            int lineEnd = newline < 0 ? end : newline;
            int contentEnd = lineEnd > start && frame.getByte(lineEnd - 1) == '\r' ? lineEnd - 1 : lineEnd;
            if (contentEnd - start > MAX_LINE_BYTES) {
                throw new TooLongFrameException("policy request line longer than " + MAX_LINE_BYTES + " bytes");
            }
            if (contentEnd > start) {
                attributes.line(frame, start, contentEnd);
            }
            start = lineEnd + 1;
        }
        out.add(attributes.toRequest());
    }

    /** The attributes of one request. */
    private static final class Attributes {
        private String request = "";
        private String protocolState = "";
        private String sender = "";
        private String recipient = "";
        private String clientAddress = "";
        private String clientName = "";
        private String heloName = "";
        private String queueId = "";
        private String malformed;

        void line(ByteBuf frame, int start, int end) {
            int equals = frame.indexOf(start, end, (byte) '=');
            if (equals <= start) {
                malformed(frame.toString(start, end - start, StandardCharsets.UTF_8));
                return;
            }
            switch (frame.toString(start, equals - start, StandardCharsets.US_ASCII)) {
                case "request" -> request = value(frame, equals + 1, end);
                case "protocol_state" -> protocolState = value(frame, equals + 1, end);
                case "sender" -> sender = value(frame, equals + 1, end);
                case "recipient" -> recipient = value(frame, equals + 1, end);
                case "client_address" -> clientAddress = value(frame, equals + 1, end);
                case "client_name" -> clientName = value(frame, equals + 1, end);
                case "helo_name" -> heloName = value(frame, equals + 1, end);
                case "queue_id" -> queueId = value(frame, equals + 1, end);
                default -> { } // Postfix sends dozens of attributes; the rest are not ours to use
            }
        }

        void malformed(String line) {
            if (malformed == null) {
                String shown = line.length() > 80 ? line.substring(0, 77) + "..." : line;
                malformed = "expected name=value, got \"" + shown.replaceAll("\\p{Cntrl}", "?") + "\"";
            }
        }

        PolicyRequest toRequest() {
            return new PolicyRequest(request, protocolState, sender, recipient, clientAddress, clientName, heloName, queueId, malformed);
        }

        private static String value(ByteBuf frame, int start, int end) {
            return frame.toString(start, end - start, StandardCharsets.UTF_8);
        }
    }
}
