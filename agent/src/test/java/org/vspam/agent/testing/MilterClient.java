package org.vspam.agent.testing;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Talks the milter protocol as Postfix's cleanup and smtpd do: version 6 offering every step and
 * action, then per message MAIL, headers, the body in pieces of at most 64 KiB, and the end of
 * message, whose answer is read up to its final reply. For the fuzz test and the benchmark; the
 * protocol itself is proven with miltertest and Postfix.
 */
public final class MilterClient implements AutoCloseable {
    /** The steps the agent asked to leave out, or not to answer. */
    private int skipped;
    private final Socket socket;
    private final DataInputStream in;
    private final DataOutputStream out;

    /**
     * The final answer to a message: its reply code ({@code c}, {@code y}, ...), its text, the headers it
     * added, and the time from sending the end of the message to this answer.
     */
    public record Answer(char code, String text, List<String> addedHeaders, long nanos) {
    }

    private MilterClient(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new DataInputStream(socket.getInputStream());
        this.out = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream(), 70_000));
    }

    public static MilterClient tcp(int port) throws IOException {
        return tcp("127.0.0.1", port);
    }

    public static MilterClient tcp(String host, int port) throws IOException {
        Socket socket = new Socket(host, port);
        socket.setSoTimeout(60_000);
        socket.setTcpNoDelay(true);
        MilterClient client = new MilterClient(socket);
        client.negotiate();
        return client;
    }

    private void negotiate() throws IOException {
        packet('O', data -> {
            data.writeInt(6);
            data.writeInt(0x1ff);
            data.writeInt(0x1fffff);
        });
        Packet reply = read();
        if (reply.code != 'O') {
            throw new IOException("negotiation answered " + reply.code);
        }
        skipped = ByteBuffer.wrap(reply.data).getInt(8);
    }

    /** A new SMTP session from {@code address}. */
    public void connect(String address) throws IOException {
        packet('C', data -> {
            strings(data, "mail.example.com");
            data.writeByte('4');
            data.writeShort(25);
            strings(data, address);
        });
        expectContinue("connect");
    }

    /** One message; {@code body} is sent in pieces of {@code piece} bytes. */
    public Answer message(String sender, String contentType, byte[] body, int piece) throws IOException {
        packet('M', data -> strings(data, "<" + sender + ">", "SIZE=" + body.length));
        expectContinue("MAIL");
        for (String[] header : new String[][] {{"From", "<" + sender + ">"}, {"Subject", "test"}, {"Content-Type", contentType}}) {
            packet('L', data -> strings(data, header[0], header[1]));
            if ((skipped & 0x80) == 0) {
                expectContinue("header");
            }
        }
        packet('N', data -> { });
        expectContinue("end of headers");
        for (int offset = 0; offset < body.length; offset += piece) {
            int start = offset;
            int length = Math.min(piece, body.length - offset);
            packet('B', data -> data.write(body, start, length));
            Packet reply = read();
            if (reply.code == 's') {
                break;
            }
            if (reply.code != 'c') {
                throw new IOException("body piece answered " + reply.code);
            }
        }
        packet('E', data -> { });
        long ended = System.nanoTime();
        List<String> headers = new ArrayList<>();
        while (true) {
            Packet reply = read();
            if (reply.code == 'h') {
                headers.add(new String(reply.data, StandardCharsets.UTF_8).replace('\0', ' ').strip());
                continue;
            }
            return new Answer(reply.code, new String(reply.data, StandardCharsets.UTF_8).replace("\0", ""), headers, System.nanoTime() - ended);
        }
    }

    /** Raw bytes, as a broken or hostile peer sends them. */
    public static void raw(OutputStream out, byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    private void expectContinue(String step) throws IOException {
        Packet reply = read();
        if (reply.code != 'c') {
            throw new IOException(step + " answered " + reply.code);
        }
    }

    private interface Writer {
        void write(DataOutputStream data) throws IOException;
    }

    private void packet(char code, Writer writer) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        writer.write(new DataOutputStream(bytes));
        out.writeInt(bytes.size() + 1);
        out.writeByte(code);
        bytes.writeTo(out);
        out.flush();
    }

    private static void strings(DataOutputStream data, String... strings) throws IOException {
        for (String string : strings) {
            data.write(string.getBytes(StandardCharsets.UTF_8));
            data.writeByte(0);
        }
    }

    private record Packet(char code, byte[] data) {
    }

    private Packet read() throws IOException {
        int length = in.readInt();
        char code = (char) in.readUnsignedByte();
        byte[] data = new byte[length - 1];
        in.readFully(data);
        return new Packet(code, data);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
