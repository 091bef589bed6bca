package org.vspam.agent.policy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.TooLongFrameException;
import java.util.List;

/**
 * Cuts the byte stream into whole requests at the empty line that ends each one ({@code \n\n}, or
 * {@code \r\n\r\n} from clients that write CRLF); the frame excludes the empty line. One frame per
 * request rather than per line keeps the cost to one pass through the pipeline per request. A
 * request larger than {@link #MAX_REQUEST_BYTES} fails the connection as soon as that is certain.
 * One instance per connection: it remembers how far it has already searched.
 */
public final class PolicyFraming extends ByteToMessageDecoder {
    public static final int MAX_REQUEST_BYTES = 64 * 1024;

    /** Offset from the reader index up to which no request end was found. */
    private int searched;

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws TooLongFrameException {
        while (in.isReadable()) {
            int start = in.readerIndex();
            int empty = emptyRequest(in, start);
            if (empty < 0) {
                return; // a lone "\r": wait for what follows
            }
            if (empty > 0) {
                // An empty line where a request should start is an empty request (a one-shot client, a
                // printf by hand); it gets its own answer rather than merging into the next request.
                in.skipBytes(empty);
                out.add(Unpooled.EMPTY_BUFFER);
                searched = 0;
                continue;
            }
            int end = requestEnd(in, start + searched);
            if (end < 0) {
                // The next search starts where a terminator cut by this read could begin: its "\n"
                // may be the second-to-last byte ("\r\n\r" read, "\n" still to come).
                searched = Math.max(0, in.readableBytes() - 2);
                if (in.readableBytes() > MAX_REQUEST_BYTES) {
                    in.skipBytes(in.readableBytes());
                    searched = 0;
                    throw new TooLongFrameException("policy request larger than " + MAX_REQUEST_BYTES + " bytes");
                }
                return;
            }
            int frameLength = end - start;
            if (frameLength > MAX_REQUEST_BYTES) {
                throw new TooLongFrameException("policy request larger than " + MAX_REQUEST_BYTES + " bytes");
            }
            out.add(in.retainedSlice(start, frameLength));
            in.readerIndex(in.getByte(end) == '\r' ? end + 4 : end + 2);
            searched = 0;
        }
    }

    /** The length of an empty line at {@code start} (1 or 2), 0 when a request starts there, -1 when that is not known yet. */
    private static int emptyRequest(ByteBuf in, int start) {
        byte first = in.getByte(start);
        if (first == '\n') {
            return 1;
        }
        if (first != '\r') {
            return 0;
        }
        if (in.readableBytes() < 2) {
            return -1;
        }
        return in.getByte(start + 1) == '\n' ? 2 : 0;
    }

    /**
     * Where the empty line that ends a request starts: the index of the {@code \n\n} or
     * {@code \r\n\r\n} at or after {@code from}, or -1 when none is there yet.
     */
    private static int requestEnd(ByteBuf in, int from) {
        int limit = in.writerIndex();
        int index = from;
        while (index < limit) {
            int newline = in.indexOf(index, limit, (byte) '\n');
            if (newline < 0 || newline + 1 >= limit) {
                return -1;
            }
            byte next = in.getByte(newline + 1);
            if (next == '\n') {
                return newline;
            }
            if (next == '\r' && newline + 2 < limit && in.getByte(newline + 2) == '\n' && newline > 0 && in.getByte(newline - 1) == '\r') {
                return newline - 1;
            }
            index = newline + 1;
        }
        return -1;
    }
}
