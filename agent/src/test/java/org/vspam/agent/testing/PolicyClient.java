package org.vspam.agent.testing;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Talks policy delegation the way Postfix does: one connection, requests one at a time, each
 * answer read up to its empty line. Works over TCP and unix sockets alike.
 */
public final class PolicyClient implements AutoCloseable {
    private final Closeable connection;
    private final InputStream in;
    private final OutputStream out;

    private PolicyClient(Closeable connection, InputStream in, OutputStream out) {
        this.connection = connection;
        this.in = in;
        this.out = out;
    }

    public static PolicyClient tcp(int port) throws IOException {
        Socket socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(10_000);
        socket.setTcpNoDelay(true);
        return new PolicyClient(socket, socket.getInputStream(), socket.getOutputStream());
    }

    /** Over a unix socket reads cannot time out: tests using it carry a JUnit timeout. */
    public static PolicyClient unix(Path socket) throws IOException {
        SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        channel.connect(UnixDomainSocketAddress.of(socket));
        return new PolicyClient(channel, Channels.newInputStream(channel), Channels.newOutputStream(channel));
    }

    /** An smtpd_access_policy request at RCPT, as Postfix sends it (abridged). */
    public static String request(String sender, String clientAddress) {
        return "request=smtpd_access_policy\nprotocol_state=RCPT\nprotocol_name=ESMTP\nclient_address=" + clientAddress
                + "\nclient_name=mail.example.com\nhelo_name=mail.example.com\nsender=" + sender
                + "\nrecipient=user@example.org\nrecipient_count=0\nqueue_id=\ninstance=123.456.7\nsize=0\n\n";
    }

    /** Sends one request and returns the answer line, without its terminating empty line. */
    public String ask(String sender, String clientAddress) throws IOException {
        send(request(sender, clientAddress));
        return readAnswer();
    }

    public void send(String raw) throws IOException {
        byte[] bytes = raw.getBytes(StandardCharsets.UTF_8);
        send(bytes, 0, bytes.length);
    }

    /** Writes and flushes part of a request's bytes, as a client writing in pieces does. */
    public void send(byte[] bytes, int offset, int length) throws IOException {
        out.write(bytes, offset, length);
        out.flush();
    }

    /** Reads one answer: the {@code action=} line; fails when the server closed the connection. */
    public String readAnswer() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int previous = -1;
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed by the agent");
            }
            if (b == '\n' && previous == '\n') {
                return line.toString(StandardCharsets.UTF_8).strip();
            }
            line.write(b);
            previous = b;
        }
    }

    /** True once the server has closed its end; false when nothing came within the read timeout. */
    public boolean closedByServer() throws IOException {
        try {
            return in.read() < 0;
        } catch (java.net.SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    @Override
    public void close() throws IOException {
        connection.close();
    }
}
