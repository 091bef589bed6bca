package org.vspam.agent.policy;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerDomainSocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;

/**
 * The Netty transport: native epoll on Linux, plain NIO elsewhere. Each names its own channel
 * classes and its own unix-socket address type, which is why nothing else in the server cares.
 */
sealed interface ServerTransport {

    IoHandlerFactory ioHandlerFactory();

    /** The same transport as Netty 4.1's group class names it; clients such as Lettuce still ask by it. */
    Class<? extends EventLoopGroup> groupType();

    Class<? extends ServerChannel> tcpChannel();

    Class<? extends ServerChannel> unixChannel();

    SocketAddress unixAddress(Path path);

    static ServerTransport best() {
        return Epoll.isAvailable() ? new Native() : new Nio();
    }

    record Native() implements ServerTransport {
        @Override
        public IoHandlerFactory ioHandlerFactory() {
            return EpollIoHandler.newFactory();
        }

        @Override
        @SuppressWarnings("deprecation")
        public Class<? extends EventLoopGroup> groupType() {
            return EpollEventLoopGroup.class;
        }

        @Override
        public Class<? extends ServerChannel> tcpChannel() {
            return EpollServerSocketChannel.class;
        }

        @Override
        public Class<? extends ServerChannel> unixChannel() {
            return EpollServerDomainSocketChannel.class;
        }

        @Override
        public SocketAddress unixAddress(Path path) {
            return new DomainSocketAddress(path.toFile());
        }
    }

    record Nio() implements ServerTransport {
        @Override
        public IoHandlerFactory ioHandlerFactory() {
            return NioIoHandler.newFactory();
        }

        @Override
        @SuppressWarnings("deprecation")
        public Class<? extends EventLoopGroup> groupType() {
            return NioEventLoopGroup.class;
        }

        @Override
        public Class<? extends ServerChannel> tcpChannel() {
            return NioServerSocketChannel.class;
        }

        @Override
        public Class<? extends ServerChannel> unixChannel() {
            return NioServerDomainSocketChannel.class;
        }

        @Override
        public SocketAddress unixAddress(Path path) {
            return UnixDomainSocketAddress.of(path);
        }
    }
}
