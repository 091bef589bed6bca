package org.vspam.agent.milter;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.DecoderException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One milter connection's conversation: negotiation, then for each SMTP session its connect
 * information and macros, and for each message its envelope, MIME headers and body, answered as the
 * protocol requires; the decision is told at the end of the message. An aborted message is dropped
 * (its answer too, if it was still being decided); the connection goes on with the next one.
 */
final class MilterHandler extends SimpleChannelInboundHandler<MilterCommand> {
    private static final Logger LOG = LoggerFactory.getLogger(MilterHandler.class);

    /** The protocol version spoken: Postfix's and Sendmail 8.14's. */
    static final int VERSION = 6;
    /** {@code SMFIF_ADDHDRS}: the one change the agent makes to a message (its header, at the end). */
    static final int ADD_HEADERS = 0x01;
    // SMFIP_*: steps the MTA may leave out, and steps it need not wait on
    static final int NO_HELO = 0x02;
    static final int NO_REPLY_HEADER = 0x80;
    static final int NO_UNKNOWN = 0x100;
    static final int NO_DATA = 0x200;
    static final int SKIP = 0x400;
    /** Leave out what the agent does not use, and do not wait for "continue" after each header; all only as far as the MTA offers. */
    static final int WANTED = NO_HELO | NO_UNKNOWN | NO_DATA | NO_REPLY_HEADER | SKIP; // RCPT is asked for: allow_recipients
    /**
     * A stop: the connection is closed at its next moment between messages, so that a message
     * already ended still gets its answer (see {@link MilterServer#drain}).
     */
    static final Object DRAIN = new Object();
    /** The macros a connection keeps at most: a peer that sends more is not given more memory. */
    private static final int MAX_MACROS = 64;

    private final MilterService service;
    private int protocol;
    /** The actions the MTA allows: adding the header, or (an MTA that does not allow it) nothing. */
    private int actions;
    private final Map<String, String> macros = new HashMap<>();
    private String connectAddress = "";
    private MilterService.Message message;
    /** The message whose answer is being decided; an abort meanwhile means its answer is not sent. */
    private MilterService.Message deciding;
    private boolean failed;
    private boolean draining;

    MilterHandler(MilterService service) {
        this.service = service;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, MilterCommand command) {
        switch (command) {
            case MilterCommand.Negotiate mta -> {
                protocol = mta.protocol() & WANTED;
                actions = mta.actions() & ADD_HEADERS;
                ctx.writeAndFlush(new MilterReply.Negotiated(Math.min(VERSION, Math.max(2, mta.version())), actions, protocol));
            }
            case MilterCommand.Macros given -> given.values().forEach((name, value) -> {
                if (macros.size() < MAX_MACROS || macros.containsKey(name)) {
                    macros.put(name, value);
                }
            });
            case MilterCommand.Connect connect -> {
                connectAddress = connect.family() == '4' || connect.family() == '6' ? connect.address() : "";
                ctx.writeAndFlush(MilterReply.CONTINUE);
            }
            case MilterCommand.Mail mail -> {
                abortMessage();
                String sender = mail.arguments().isEmpty() ? "" : unbracket(mail.arguments().getFirst());
                message = service.message(clientAddress(), sender, macros.getOrDefault("{auth_authen}", ""));
                ctx.writeAndFlush(MilterReply.CONTINUE);
            }
            case MilterCommand.Recipient recipient -> {
                if (message != null && !recipient.arguments().isEmpty()) {
                    message.recipient(unbracket(recipient.arguments().getFirst()));
                }
                ctx.writeAndFlush(MilterReply.CONTINUE);
            }
            case MilterCommand.Header header -> {
                if (message != null) {
                    message.header(header.name(), header.value());
                }
                if ((protocol & NO_REPLY_HEADER) == 0) {
                    ctx.writeAndFlush(MilterReply.CONTINUE);
                }
            }
            case MilterCommand.EndOfHeaders end -> ctx.writeAndFlush(MilterReply.CONTINUE);
            case MilterCommand.Body body -> body(ctx, body.chunk());
            case MilterCommand.EndOfMessage end -> endOfMessage(ctx, end.chunk());
            case MilterCommand.Abort abort -> {
                abortMessage();
                closeIfDrainedBetweenMessages(ctx);
            }
            case MilterCommand.Quit quit -> ctx.close();
            case MilterCommand.QuitNewConnection next -> {
                abortMessage();
                macros.clear();
                connectAddress = "";
            }
            case MilterCommand.Other other -> ctx.writeAndFlush(MilterReply.CONTINUE);
        }
    }

    private void body(ChannelHandlerContext ctx, byte[] chunk) {
        if (message == null) {
            ctx.writeAndFlush(MilterReply.CONTINUE);
            return;
        }
        MilterService.Message current = message;
        Runnable answer = () -> ctx.writeAndFlush(current.bodyDone() && (protocol & SKIP) != 0 ? MilterReply.SKIP_BODY : MilterReply.CONTINUE);
        if (current.body(chunk, () -> ctx.executor().execute(answer))) {
            answer.run();
        }
    }

    private void endOfMessage(ChannelHandlerContext ctx, byte[] lastChunk) {
        MilterService.Message ended = message;
        message = null;
        if (ended == null) {
            ctx.writeAndFlush(MilterReply.CONTINUE);
            return;
        }
        ended.body(lastChunk, () -> { }); // the MTA waits for the final answer, not for this piece's
        deciding = ended;
        service.answer(ended, ctx.executor()).thenAccept(replies -> {
            if (ctx.executor().inEventLoop()) {
                send(ctx, ended, replies);
            } else {
                ctx.executor().execute(() -> send(ctx, ended, replies));
            }
        });
    }

    private void send(ChannelHandlerContext ctx, MilterService.Message ended, List<MilterReply> replies) {
        if (deciding != ended) {
            return; // aborted while it was decided: the MTA expects no answer for it
        }
        deciding = null;
        for (MilterReply reply : replies) {
            if (!(reply instanceof MilterReply.AddHeader) || (actions & ADD_HEADERS) != 0) {
                ctx.write(reply);
            }
        }
        ctx.flush();
        closeIfDrainedBetweenMessages(ctx);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event == DRAIN) {
            draining = true;
            closeIfDrainedBetweenMessages(ctx);
            return;
        }
        ctx.fireUserEventTriggered(event);
    }

    /** While stopping, a connection with no message under way is closed: the MTA applies milter_default_action to its next. */
    private void closeIfDrainedBetweenMessages(ChannelHandlerContext ctx) {
        if (draining && message == null && deciding == null) {
            ctx.close();
        }
    }

    private void abortMessage() {
        if (message != null) {
            message.abort();
            message = null;
        }
        deciding = null;
    }

    /** The connect information's address; for a unix-socket or unknown client, the {@code {client_addr}} macro. */
    private String clientAddress() {
        return connectAddress.isEmpty() ? macros.getOrDefault("{client_addr}", "") : connectAddress;
    }

    private static String unbracket(String address) {
        String value = address.strip();
        return value.startsWith("<") && value.endsWith(">") ? value.substring(1, value.length() - 1) : value;
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        abortMessage();
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (failed) {
            return; // the decoder may throw again on what is left before the close takes effect: said once
        }
        failed = true;
        if (cause instanceof DecoderException && cause.getCause() instanceof MilterProtocolException bad) {
            cause = bad;
        }
        if (cause instanceof MilterProtocolException bad) {
            LOG.warn("milter connection from {} sent {}; closing it (the MTA applies its milter_default_action)", ctx.channel().remoteAddress(),
                    bad.getMessage());
        } else {
            LOG.warn("milter connection from {} failed: {}; closing it (the MTA applies its milter_default_action)",
                    ctx.channel().remoteAddress(), cause.toString());
        }
        abortMessage();
        ctx.close();
    }
}
