package org.vspam.agent.milter;

import java.io.InputStream;
import java.util.ArrayDeque;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The message as it streams in, read by the MIME parser on its own thread. The MTA waits for the
 * answer to each body piece before it sends the next, so when more than {@link #HIGH_WATER} bytes wait
 * here the answer is held back until the parser has caught up: memory per message stays bounded
 * whatever the message's size.
 */
final class BodyPipe extends InputStream {
    /** Bytes that may wait for the parser before the MTA is held back. */
    static final int HIGH_WATER = 256 * 1024;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition readable = lock.newCondition();
    private final ArrayDeque<byte[]> pieces = new ArrayDeque<>();
    private int queued;
    private byte[] current = new byte[0];
    private int position;
    private boolean ended;
    private boolean discarding;
    /** The held-back answer, given once the parser has read below half of {@link #HIGH_WATER}. */
    private Runnable resume;

    /**
     * Adds a piece; true when the MTA may be answered now, false when {@code resume} will be run
     * (on the parser's thread) once it may.
     */
    boolean offer(byte[] piece, Runnable resume) {
        lock.lock();
        try {
            if (discarding || ended || piece.length == 0) {
                return true;
            }
            pieces.add(piece);
            queued += piece.length;
            readable.signal();
            if (queued <= HIGH_WATER) {
                return true;
            }
            this.resume = resume;
            return false;
        } finally {
            lock.unlock();
        }
    }

    /** No more pieces: the parser reads to the end of what it has. */
    void end() {
        lock.lock();
        try {
            ended = true;
            readable.signal();
        } finally {
            lock.unlock();
        }
    }

    /** The parser wants no more: what waits and what comes is dropped, and a held-back answer is given. */
    void discard() {
        Runnable held;
        lock.lock();
        try {
            discarding = true;
            ended = true;
            pieces.clear();
            queued = 0;
            current = new byte[0];
            held = resume;
            resume = null;
            readable.signal();
        } finally {
            lock.unlock();
        }
        if (held != null) {
            held.run();
        }
    }

    /** True once the parser wants no more of this message. */
    boolean discarding() {
        lock.lock();
        try {
            return discarding;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public int read() {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] into, int offset, int length) {
        if (length == 0) {
            return 0;
        }
        Runnable held = null;
        int read;
        lock.lock();
        try {
            while (position == current.length) {
                byte[] next = pieces.poll();
                if (next != null) {
                    current = next;
                    position = 0;
                    queued -= next.length;
                    if (resume != null && queued <= HIGH_WATER / 2) {
                        held = resume;
                        resume = null;
                    }
                } else if (ended) {
                    return -1;
                } else {
                    readable.awaitUninterruptibly();
                }
            }
            read = Math.min(length, current.length - position);
            System.arraycopy(current, position, into, offset, read);
            position += read;
        } finally {
            lock.unlock();
        }
        if (held != null) {
            held.run();
        }
        return read;
    }
}
