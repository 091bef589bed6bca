package org.vspam.agent.policy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToByteEncoder;

/** Writes a {@link PolicyAction}'s wire text. */
@ChannelHandler.Sharable
public final class PolicyActionEncoder extends MessageToByteEncoder<PolicyAction> {
    public static final PolicyActionEncoder INSTANCE = new PolicyActionEncoder();

    private PolicyActionEncoder() {
        super(PolicyAction.class);
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, PolicyAction action, ByteBuf out) {
        ByteBufUtil.writeUtf8(out, action.wireText());
    }
}
