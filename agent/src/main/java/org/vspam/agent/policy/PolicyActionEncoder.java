package org.vspam.agent.policy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Writes a {@link PolicyAction}'s wire text. An agent gives only a handful of distinct answers
 * (DUNNO and its reject message), so each is rendered once into a buffer that every connection
 * writes from: an answer costs neither an allocation nor a copy.
 */
@ChannelHandler.Sharable
public final class PolicyActionEncoder extends MessageToMessageEncoder<PolicyAction> {
    private static final int MAX_REMEMBERED = 64;
    private static final ByteBuf DUNNO = rendered(PolicyAction.DUNNO);

    private final Map<PolicyAction, ByteBuf> remembered = new ConcurrentHashMap<>();

    public PolicyActionEncoder() {
        super(PolicyAction.class);
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, PolicyAction action, List<Object> out) {
        ByteBuf bytes = action == PolicyAction.DUNNO ? DUNNO : remembered.get(action);
        if (bytes == null) {
            if (remembered.size() >= MAX_REMEMBERED) {
                // texts with an indicator in them ({indicator} in reject_message) are too many to keep
                out.add(Unpooled.wrappedBuffer(wireBytes(action)));
                return;
            }
            bytes = remembered.computeIfAbsent(action, PolicyActionEncoder::rendered);
        }
        out.add(bytes.duplicate()); // its own indexes; the bytes stay shared and are never released
    }

    /** A buffer kept for the agent's lifetime, outside the heap, as the socket writes it. */
    private static ByteBuf rendered(PolicyAction action) {
        byte[] text = wireBytes(action);
        return Unpooled.unreleasableBuffer(Unpooled.directBuffer(text.length).writeBytes(text));
    }

    private static byte[] wireBytes(PolicyAction action) {
        return action.wireText().getBytes(StandardCharsets.UTF_8);
    }
}
