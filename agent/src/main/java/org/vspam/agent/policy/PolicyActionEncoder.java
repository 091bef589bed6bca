package org.vspam.agent.policy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToByteEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Writes a {@link PolicyAction}'s wire text. An agent gives only a handful of distinct answers
 * (DUNNO and its reject message), so each is rendered once and its bytes reused.
 */
@ChannelHandler.Sharable
public final class PolicyActionEncoder extends MessageToByteEncoder<PolicyAction> {
    private static final int MAX_REMEMBERED = 64;

    private final Map<PolicyAction, byte[]> rendered = new ConcurrentHashMap<>();

    public PolicyActionEncoder() {
        super(PolicyAction.class);
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, PolicyAction action, ByteBuf out) {
        byte[] bytes = rendered.get(action);
        if (bytes == null) {
            bytes = action.wireText().getBytes(StandardCharsets.UTF_8);
            if (rendered.size() < MAX_REMEMBERED) {
                rendered.put(action, bytes);
            }
        }
        out.writeBytes(bytes);
    }
}
