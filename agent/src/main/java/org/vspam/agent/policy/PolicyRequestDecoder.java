package org.vspam.agent.policy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.util.concurrent.FastThreadLocal;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Cuts the byte stream into requests: {@code name=value} lines (ended by {@code \n}, or
 * {@code \r\n} from clients that write CRLF) up to the empty line that ends each request. Attribute
 * order is free and unknown attributes are ignored; only the values the agent decides on become
 * Strings (Postfix sends some 30 attributes, the agent reads 4). Lines are taken as they complete,
 * so the bytes of one request are looked at once, whatever the reads that brought them. A line
 * longer than {@link #MAX_LINE_BYTES} or a request larger than {@link #MAX_REQUEST_BYTES} fails the
 * connection. One instance per connection: it holds the request being read.
 */
public final class PolicyRequestDecoder extends ByteToMessageDecoder {
    public static final int MAX_LINE_BYTES = 4096;
    public static final int MAX_REQUEST_BYTES = 64 * 1024;

    /** What one pass copies out of Netty's buffer at most: many requests, or any one line. */
    private static final int CHUNK_BYTES = 64 * 1024;
    /** Each event loop's copy of the bytes being decoded: scanning an array beats a call per byte or per line. */
    private static final FastThreadLocal<byte[]> SCRATCH = new FastThreadLocal<>() {
        @Override
        protected byte[] initialValue() {
            return new byte[CHUNK_BYTES];
        }
    };
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long ONES = 0x0101010101010101L;
    private static final long HIGHS = 0x8080808080808080L;
    private static final byte[] ACCESS_POLICY = PolicyRequest.SMTPD_ACCESS_POLICY.getBytes(StandardCharsets.US_ASCII);

    private Attributes attributes = new Attributes();
    /** Bytes of the request being read, its complete lines so far. */
    private int requestBytes;

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws TooLongFrameException {
        byte[] bytes = SCRATCH.get();
        while (in.isReadable()) {
            int length = Math.min(in.readableBytes(), bytes.length);
            in.getBytes(in.readerIndex(), bytes, 0, length);
            int consumed;
            try {
                consumed = lines(bytes, length, out);
            } catch (TooLongFrameException e) {
                in.skipBytes(in.readableBytes()); // nothing more is read from this connection
                throw e;
            }
            in.skipBytes(consumed);
            int partial = length - consumed;
            if (partial > 0 && (partial > MAX_LINE_BYTES + 1 || in.readableBytes() == partial)) {
                checkPartialLine(in, partial);
                return; // the rest is a line still coming
            }
        }
    }

    /** Decodes the complete lines in {@code bytes[0, length)}; returns how many bytes they took. */
    private int lines(byte[] bytes, int length, List<Object> out) throws TooLongFrameException {
        int start = 0;
        while (start < length) {
            int newline = indexOf(bytes, start, length, (byte) '\n');
            if (newline < 0) {
                return start;
            }
            int contentEnd = newline > start && bytes[newline - 1] == '\r' ? newline - 1 : newline;
            requestBytes += newline + 1 - start;
            if (contentEnd == start) {
                // The empty line: the request is complete. An empty line where a request should start is
                // an empty request (a one-shot client, a printf by hand), answered on its own.
                out.add(attributes.toRequest());
                attributes = new Attributes();
                requestBytes = 0;
            } else if (contentEnd - start > MAX_LINE_BYTES) {
                throw new TooLongFrameException("policy request line longer than " + MAX_LINE_BYTES + " bytes");
            } else if (requestBytes > MAX_REQUEST_BYTES) {
                throw new TooLongFrameException("policy request larger than " + MAX_REQUEST_BYTES + " bytes");
            } else {
                attributes.line(bytes, start, contentEnd);
            }
            start = newline + 1;
        }
        return start;
    }

    /** A line still without its end fails the connection as soon as it is certain to break a limit. */
    private void checkPartialLine(ByteBuf in, int partial) throws TooLongFrameException {
        if (partial > MAX_LINE_BYTES + 1) { // its content, and a "\r" that may end it
            in.skipBytes(in.readableBytes());
            throw new TooLongFrameException("policy request line longer than " + MAX_LINE_BYTES + " bytes");
        }
        if (requestBytes + partial > MAX_REQUEST_BYTES) {
            in.skipBytes(in.readableBytes());
            throw new TooLongFrameException("policy request larger than " + MAX_REQUEST_BYTES + " bytes");
        }
    }

    /** True while part of a request has been read: its lines so far, or a line still without its end. */
    boolean midRequest() {
        return requestBytes > 0 || internalBuffer().isReadable();
    }

    @Override
    protected void handlerRemoved0(ChannelHandlerContext ctx) {
        attributes = new Attributes();
        requestBytes = 0;
    }

    /**
     * The first {@code wanted} in {@code bytes[from, to)}, or -1: eight bytes per step (a byte of
     * {@code word ^ pattern} is zero where {@code wanted} is; the lowest such byte is found exactly).
     */
    static int indexOf(byte[] bytes, int from, int to, byte wanted) {
        long pattern = (wanted & 0xFFL) * ONES;
        int i = from;
        for (; i + Long.BYTES <= to; i += Long.BYTES) {
            long word = (long) LONGS.get(bytes, i) ^ pattern;
            long found = (word - ONES) & ~word & HIGHS;
            if (found != 0) {
                return i + (Long.numberOfTrailingZeros(found) >>> 3);
            }
        }
        for (; i < to; i++) {
            if (bytes[i] == wanted) {
                return i;
            }
        }
        return -1;
    }

    /** The attributes the agent reads, in the order of {@link Attributes#values}. */
    private enum Name {
        REQUEST, SENDER, RECIPIENT, CLIENT_ADDRESS, SASL_USERNAME;

        private static final Name[] ALL = values();
        private final byte[] wire = name().toLowerCase(Locale.ROOT).getBytes(StandardCharsets.US_ASCII);

        /** The attribute named by {@code bytes[start, end)}, or null for one the agent does not use. */
        static Name of(byte[] bytes, int start, int end) {
            int length = end - start;
            for (Name name : ALL) {
                if (name.wire.length == length && Arrays.equals(name.wire, 0, length, bytes, start, end)) {
                    return name;
                }
            }
            return null;
        }
    }

    /** The attributes of one request, as its lines arrive. */
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
                values[name.ordinal()] = value(name, bytes, equals + 1, end);
            }
        }

        /** The value as a String; the ones every request repeats (no value, the usual request type) are not made again. */
        private static String value(Name name, byte[] bytes, int start, int end) {
            if (start == end) {
                return "";
            }
            if (name == Name.REQUEST && Arrays.equals(ACCESS_POLICY, 0, ACCESS_POLICY.length, bytes, start, end)) {
                return PolicyRequest.SMTPD_ACCESS_POLICY;
            }
            return new String(bytes, start, end - start, StandardCharsets.UTF_8);
        }

        void malformed(String line) {
            if (malformed == null) {
                String shown = line.length() > 80 ? line.substring(0, 77) + "..." : line;
                malformed = "expected name=value, got \"" + shown.replaceAll("\\p{Cntrl}", "?") + "\"";
            }
        }

        PolicyRequest toRequest() {
            return new PolicyRequest(value(Name.REQUEST), value(Name.SENDER), value(Name.RECIPIENT), value(Name.CLIENT_ADDRESS),
                    value(Name.SASL_USERNAME), malformed);
        }

        private String value(Name name) {
            String value = values[name.ordinal()];
            return value == null ? "" : value;
        }
    }
}
