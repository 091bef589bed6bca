package org.vspam.agent.testing;

import io.netty.channel.epoll.Epoll;
import io.netty.channel.unix.DomainDatagramSocketAddress;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.channel.unix.Socket;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The service manager's end of sd_notify, as systemd binds it for a {@code Type=notify} unit: a unix
 * datagram socket whose path goes to the service in {@code NOTIFY_SOCKET}. Collects what it is told.
 */
public final class NotifySocket implements AutoCloseable {
    private final Path path;
    private final Socket socket;
    private final List<String> messages = new ArrayList<>();

    private NotifySocket(Path path, Socket socket) {
        this.path = path;
        this.socket = socket;
    }

    public static NotifySocket bind(Path path) throws IOException {
        Epoll.ensureAvailability();
        Socket socket = Socket.newSocketDomainDgram();
        socket.bind(new DomainSocketAddress(path.toFile()));
        return new NotifySocket(path, socket);
    }

    public Path path() {
        return path;
    }

    /** Every message received so far, oldest first (the socket does not block: it is read here). */
    public synchronized List<String> messages() throws IOException {
        ByteBuffer buffer = ByteBuffer.allocateDirect(4096);
        DomainDatagramSocketAddress from;
        while ((from = socket.recvFromDomainSocket(buffer, 0, buffer.capacity())) != null) {
            byte[] bytes = new byte[from.receivedAmount()];
            buffer.get(0, bytes);
            messages.add(new String(bytes, StandardCharsets.UTF_8));
            buffer.clear();
        }
        return List.copyOf(messages);
    }

    /** True once a message with the line {@code assignment} (as {@code READY=1}) has arrived. */
    public boolean told(String assignment) throws IOException {
        return messages().stream().anyMatch(message -> message.lines().anyMatch(assignment::equals));
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
