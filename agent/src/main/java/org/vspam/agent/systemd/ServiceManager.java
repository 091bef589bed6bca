package org.vspam.agent.systemd;

import io.netty.channel.epoll.Epoll;
import io.netty.channel.unix.Socket;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The service manager's readiness protocol (sd_notify): under systemd's {@code Type=notify} the unit
 * counts as started only when the agent says {@code READY=1}, after its listeners are bound, so that
 * {@code systemctl start} returns when Postfix can be answered and units ordered after it start then.
 *
 * <p>Outside systemd ({@code NOTIFY_SOCKET} unset) every call does nothing. A message that cannot
 * be sent is one warning and never stops the agent: it is the service manager's courtesy, not the
 * mail's. Netty's native unix datagram socket is used because the JDK has no {@code AF_UNIX}
 * datagram channel.
 */
public final class ServiceManager {
    /** The variable systemd sets for a {@code Type=notify} service. */
    public static final String NOTIFY_SOCKET = "NOTIFY_SOCKET";

    private static final Logger LOG = LoggerFactory.getLogger(ServiceManager.class);

    private final Optional<byte[]> socketPath;

    private ServiceManager(Optional<byte[]> socketPath) {
        this.socketPath = socketPath;
    }

    /** The service manager named by the environment, if any. */
    public static ServiceManager fromEnvironment(Map<String, String> environment) {
        String socket = environment.getOrDefault(NOTIFY_SOCKET, "");
        if (socket.isEmpty()) {
            return new ServiceManager(Optional.empty());
        }
        // "@name" is a socket in the abstract namespace, whose address starts with a NUL byte.
        String address = socket.startsWith("@") ? "\0" + socket.substring(1) : socket;
        return new ServiceManager(Optional.of(address.getBytes(StandardCharsets.UTF_8)));
    }

    /** The listeners are up: the service is started. */
    public void ready(String status) {
        send("READY=1\nSTATUS=" + status);
    }

    /** The agent is re-reading its configuration; {@link #ready} ends it. */
    public void reloading() {
        send("RELOADING=1\nMONOTONIC_USEC=" + System.nanoTime() / 1_000);
    }

    /** The agent has begun to drain and stop. */
    public void stopping() {
        send("STOPPING=1\nSTATUS=draining connections");
    }

    private void send(String message) {
        if (socketPath.isEmpty()) {
            return;
        }
        byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
        ByteBuffer buffer = ByteBuffer.allocateDirect(bytes.length).put(bytes).flip();
        try {
            Epoll.ensureAvailability();
            Socket socket = Socket.newSocketDomainDgram();
            try {
                socket.sendToDomainSocket(buffer, 0, bytes.length, socketPath.get());
            } finally {
                socket.close();
            }
        } catch (IOException | RuntimeException | UnsatisfiedLinkError e) {
            LOG.warn("cannot tell the service manager \"{}\" through {}={}: {}", message.lines().findFirst().orElse(""),
                    NOTIFY_SOCKET, new String(socketPath.get(), StandardCharsets.UTF_8).replace('\0', '@'), e.getMessage());
        }
    }
}
