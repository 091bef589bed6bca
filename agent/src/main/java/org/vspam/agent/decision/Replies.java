package org.vspam.agent.decision;

import org.vspam.config.AgentConfig;
import org.vspam.config.ReplyText;

/** The texts an outcome is told with: {@code reject_message}, {@code defer_message}, {@code delist_url}, {@code header_name}. */
public record Replies(ReplyText reject, ReplyText defer, String delistUrl, String headerName) {

    public static Replies of(AgentConfig config) {
        return new Replies(config.rejectReply(), config.deferReply(), config.delistUrl(), config.headerName());
    }
}
