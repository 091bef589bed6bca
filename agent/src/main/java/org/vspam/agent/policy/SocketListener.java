package org.vspam.agent.policy;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.group.ChannelGroup;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vspam.config.ListenAddress;

/**
 * Binds a listener of the agent (the policy server, the milter) on TCP or a unix socket: a socket file
 * left by a crash is replaced, one another process still answers on is not, and the file gets the
 * configured mode. {@code role} names the listener in messages ("policy", "milter").
 */
public final class SocketListener {
    private static final Logger LOG = LoggerFactory.getLogger(SocketListener.class);

    private SocketListener() {
    }

    /** Binds; throws with a message an operator can act on when it cannot. */
    public static Channel bind(ServerBootstrap bootstrap, ListenAddress listen, int socketMode, PolicyEventLoops loops, String role)
            throws IOException {
        ServerTransport transport = loops.transport();
        bootstrap.group(loops.group());
        SocketAddress address = switch (listen) {
            case ListenAddress.Tcp tcp -> {
                bootstrap.channel(transport.tcpChannel()).option(ChannelOption.SO_REUSEADDR, true).childOption(ChannelOption.TCP_NODELAY, true);
                yield new InetSocketAddress(tcp.address().host(), tcp.address().port());
            }
            case ListenAddress.Unix unix -> {
                bootstrap.channel(transport.unixChannel());
                prepareSocketPath(unix.path(), role);
                yield transport.unixAddress(unix.path());
            }
        };
        Channel channel;
        try {
            channel = bootstrap.bind(address).sync().channel();
        } catch (Exception e) {
            throw new IOException("cannot listen on " + listen + ": " + e.getMessage(), e);
        }
        if (listen instanceof ListenAddress.Unix unix) {
            Files.setPosixFilePermissions(unix.path(), permissions(socketMode));
        }
        return channel;
    }

    /** The address actually bound (the real port when 0 was asked for). */
    public static String boundAddress(ListenAddress listen, Channel channel) {
        return switch (listen) {
            case ListenAddress.Tcp tcp -> "tcp://" + tcp.address().host() + ":" + ((InetSocketAddress) channel.localAddress()).getPort();
            case ListenAddress.Unix unix -> listen.toString();
        };
    }

    /**
     * Asks each open connection to finish ({@code drainEvent}: its handler closes it at its next quiet
     * moment) and waits at most {@code within} for all to close; true when they did, or there were none.
     */
    public static boolean drain(ChannelGroup connections, Object drainEvent, Duration within) {
        if (within.isZero() || connections.isEmpty()) {
            return true;
        }
        connections.forEach(connection -> connection.pipeline().fireUserEventTriggered(drainEvent));
        return connections.newCloseFuture().awaitUninterruptibly(within.toMillis());
    }

    /** Removes a unix socket's file once its listener is closed. */
    public static void remove(ListenAddress listen, String role) {
        if (listen instanceof ListenAddress.Unix unix) {
            try {
                Files.deleteIfExists(unix.path());
            } catch (IOException e) {
                LOG.warn("cannot remove {} socket {}: {}", role, unix.path(), e.getMessage());
            }
        }
    }

    private static void prepareSocketPath(Path path, String role) throws IOException {
        Files.createDirectories(path.toAbsolutePath().getParent());
        if (!Files.exists(path)) {
            return;
        }
        boolean answering;
        try (SocketChannel probe = SocketChannel.open(UnixDomainSocketAddress.of(path))) {
            answering = true;
        } catch (IOException refused) {
            answering = false;
        }
        if (answering) {
            throw new IOException("cannot listen on unix:" + path + ": another process is already answering on it");
        }
        LOG.info("replacing stale {} socket {}", role, path);
        Files.delete(path);
    }

    private static Set<PosixFilePermission> permissions(int mode) {
        Set<PosixFilePermission> permissions = EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] bits = PosixFilePermission.values(); // OWNER_READ .. OTHERS_EXECUTE, high bit first
        for (int i = 0; i < bits.length; i++) {
            if ((mode & (1 << (bits.length - 1 - i))) != 0) {
                permissions.add(bits[i]);
            }
        }
        return permissions;
    }
}
