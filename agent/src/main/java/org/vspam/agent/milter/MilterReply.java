package org.vspam.agent.milter;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToByteEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.vspam.agent.decision.Outcome;
import org.vspam.agent.decision.Replies;
import org.vspam.agent.indicator.Indicator;

/**
 * What the agent tells the MTA (libmilter's {@code SMFIR_*}). {@link Encoder} is the one place a
 * reply becomes protocol bytes.
 */
public sealed interface MilterReply {

    /** {@code O}: the version, the actions the agent may take and the steps it leaves out. */
    record Negotiated(int version, int actions, int protocol) implements MilterReply {
    }

    /** {@code c}: go on; at the end of the message, accept it. */
    record Continue() implements MilterReply {
    }

    /** {@code s}: the rest of the body is not needed (only when the MTA offered {@code SMFIP_SKIP}). */
    record SkipBody() implements MilterReply {
    }

    /** {@code y}: refuse the message with this SMTP reply ({@code 550 5.7.1 ...} or {@code 451 4.7.1 ...}). */
    record Refuse(String smtpReply) implements MilterReply {
    }

    /** {@code t}: refuse for now with the MTA's own 4xx text. */
    record TempFail() implements MilterReply {
    }

    /** {@code h}: add a header at the end of the message's headers. */
    record AddHeader(String name, String value) implements MilterReply {
    }

    MilterReply CONTINUE = new Continue();
    MilterReply SKIP_BODY = new SkipBody();
    MilterReply TEMPFAIL = new TempFail();

    /**
     * The one place an outcome becomes the answer at the end of a message: a refusal, or acceptance with or
     * without the header. {@code links} are the message's link hosts, which the refusal names.
     */
    static List<MilterReply> of(Outcome outcome, Replies replies, Set<Indicator> links) {
        return switch (outcome) {
            case Outcome.Refuse refuse -> List.of(new Refuse(smtpReply(replies.messageRefusal(outcome, links), "550", "5.7.1")));
            case Outcome.Defer defer -> List.of(new Refuse(smtpReply(replies.messageRefusal(outcome, links), "451", "4.7.1")));
            case Outcome.Tag tag -> List.of(new AddHeader(replies.headerName(), Replies.headerValue(tag.why().listing())), CONTINUE);
            case Outcome.Allow allow -> List.of(CONTINUE);
        };
    }

    /**
     * The whole SMTP reply the MTA sends: the text's own reply code and enhanced status code where it
     * has them ({@code reject_message: "550 ..."}), those of its kind where it has not.
     */
    static String smtpReply(String text, String code, String status) {
        Matcher parts = Codes.PATTERN.matcher(text);
        if (!parts.matches()) {
            return code + " " + status + " " + text;
        }
        return (parts.group(1) == null ? code : parts.group(1)) + " " + (parts.group(2) == null ? status : parts.group(2)) + " " + parts.group(3);
    }

    /** What the MTA does with these replies, in words: for {@code check --message}. */
    static String describe(List<MilterReply> replies) {
        StringBuilder text = new StringBuilder();
        for (MilterReply reply : replies) {
            switch (reply) {
                case Refuse refuse -> text.append("refuses the message: ").append(refuse.smtpReply());
                case TempFail tempFail -> text.append("refuses the message for now");
                case AddHeader header -> text.append("adds \"").append(header.name()).append(": ").append(header.value()).append("\", then ");
                case Continue next -> text.append("accepts the message");
                case Negotiated negotiated -> { }
                case SkipBody skip -> { }
            }
        }
        return text.toString();
    }

    /** An SMTP reply's own code and enhanced status code, each optional: {@code 550 ...}, {@code 451 4.7.1 ...}. */
    final class Codes {
        private static final Pattern PATTERN =
                Pattern.compile("^(?:([45]\\d\\d)(?:\\s+|$))?(?:([45]\\.\\d{1,3}\\.\\d{1,3})(?:\\s+|$))?(.*)$", Pattern.DOTALL);

        private Codes() {
        }
    }

    @ChannelHandler.Sharable
    final class Encoder extends MessageToByteEncoder<MilterReply> {
        @Override
        protected void encode(ChannelHandlerContext ctx, MilterReply reply, ByteBuf out) {
            int start = out.writerIndex();
            out.writeInt(0); // the length, written once the packet is
            switch (reply) {
                case Negotiated n -> out.writeByte('O').writeInt(n.version()).writeInt(n.actions()).writeInt(n.protocol());
                case Continue c -> out.writeByte('c');
                case SkipBody s -> out.writeByte('s');
                case TempFail t -> out.writeByte('t');
                case Refuse r -> string(out.writeByte('y'), r.smtpReply());
                case AddHeader h -> string(string(out.writeByte('h'), h.name()), h.value());
            }
            out.setInt(start, out.writerIndex() - start - 4);
        }

        private static ByteBuf string(ByteBuf out, String text) {
            out.writeCharSequence(text, StandardCharsets.UTF_8);
            return out.writeByte(0);
        }
    }
}
