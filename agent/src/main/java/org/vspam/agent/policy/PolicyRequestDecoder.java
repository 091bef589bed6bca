package org.vspam.agent.policy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageDecoder;
import io.netty.handler.codec.TooLongFrameException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Turns framed lines into {@link PolicyRequest}s: {@code name=value} lines up to an empty line.
 * Attribute order is free and unknown attributes are ignored; a request larger than
 * {@link #MAX_REQUEST_BYTES} fails the connection. One instance per connection.
 */
public final class PolicyRequestDecoder extends MessageToMessageDecoder<ByteBuf> {
    public static final int MAX_REQUEST_BYTES = 64 * 1024;

    private Attributes attributes = new Attributes();
    private int requestBytes;

    public PolicyRequestDecoder() {
        super(ByteBuf.class);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf line, List<Object> out) throws TooLongFrameException {
        requestBytes += line.readableBytes() + 1;
        if (requestBytes > MAX_REQUEST_BYTES) {
            throw new TooLongFrameException("policy request larger than " + MAX_REQUEST_BYTES + " bytes");
        }
        if (!line.isReadable()) {
            out.add(attributes.toRequest());
            attributes = new Attributes();
            requestBytes = 0;
            return;
        }
        int equals = line.indexOf(line.readerIndex(), line.writerIndex(), (byte) '=');
        if (equals <= line.readerIndex()) {
            attributes.malformed(line.toString(StandardCharsets.UTF_8));
            return;
        }
        String name = line.toString(line.readerIndex(), equals - line.readerIndex(), StandardCharsets.US_ASCII);
        attributes.set(name, line, equals + 1);
    }

    /** The attributes of the request being read. */
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

        void set(String name, ByteBuf line, int valueStart) {
            switch (name) {
                case "request" -> request = value(line, valueStart);
                case "protocol_state" -> protocolState = value(line, valueStart);
                case "sender" -> sender = value(line, valueStart);
                case "recipient" -> recipient = value(line, valueStart);
                case "client_address" -> clientAddress = value(line, valueStart);
                case "client_name" -> clientName = value(line, valueStart);
                case "helo_name" -> heloName = value(line, valueStart);
                case "queue_id" -> queueId = value(line, valueStart);
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

        private static String value(ByteBuf line, int start) {
            return line.toString(start, line.writerIndex() - start, StandardCharsets.UTF_8);
        }
    }
}
