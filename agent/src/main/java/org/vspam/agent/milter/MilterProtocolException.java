package org.vspam.agent.milter;

import io.netty.handler.codec.CorruptedFrameException;

/** A packet that is not the milter protocol: its connection is closed, with this message logged once. */
final class MilterProtocolException extends CorruptedFrameException {

    MilterProtocolException(String message) {
        super(message);
    }
}
