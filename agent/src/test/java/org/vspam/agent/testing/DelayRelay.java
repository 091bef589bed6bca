package org.vspam.agent.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * A TCP relay on loopback that can hold every piece of data back, both ways and in order, for a delay
 * with jitter: the latency of a long or congested path, as {@code tc netem delay 200ms 50ms} would add it
 * on a kernel that has netem. Without a delay it passes data straight through. It can also be a
 * blackhole: nothing passes, on open connections or new ones, and nothing is closed; after it, new
 * connections pass again while those open during it stay dead without a word, as connections whose
 * state a firewall or NAT forgot during an outage do.
 */
public final class DelayRelay implements AutoCloseable {
    private final ServerSocket listener;
    private final int targetPort;
    private final List<Socket> open = new CopyOnWriteArrayList<>();
    /** Per connection: true once it carries nothing more. */
    private final List<AtomicBoolean> links = new CopyOnWriteArrayList<>();
    private volatile boolean blackholed;
    private volatile long delayNanos;
    private volatile long jitterNanos;

    private DelayRelay(int targetPort) throws IOException {
        this.targetPort = targetPort;
        this.listener = new ServerSocket(0, 100, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().name("delay-relay-accept").start(this::accept);
    }

    /** A relay to {@code 127.0.0.1:targetPort}. */
    public static DelayRelay to(int targetPort) throws IOException {
        return new DelayRelay(targetPort);
    }

    public int port() {
        return listener.getLocalPort();
    }

    /** From now on, each piece arrives {@code delay} ± {@code jitter} after it was sent (never before the one sent before it). */
    public void delay(Duration delay, Duration jitter) {
        jitterNanos = jitter.toNanos();
        delayNanos = delay.toNanos();
    }

    public void noDelay() {
        delayNanos = 0;
        jitterNanos = 0;
    }

    /** From now on nothing passes, on the connections open now and on new ones; nothing is closed either. */
    public void blackhole() {
        blackholed = true;
        links.forEach(dead -> dead.set(true));
    }

    /** New connections pass again; the ones open during the blackhole stay dead. */
    public void heal() {
        blackholed = false;
    }

    private void accept() {
        while (!listener.isClosed()) {
            try {
                Socket client = listener.accept();
                Socket server = new Socket(InetAddress.getLoopbackAddress(), targetPort);
                client.setTcpNoDelay(true);
                server.setTcpNoDelay(true);
                open.add(client);
                open.add(server);
                AtomicBoolean dead = new AtomicBoolean(blackholed);
                links.add(dead);
                Thread.ofVirtual().start(() -> pump(client, server, dead));
                Thread.ofVirtual().start(() -> pump(server, client, dead));
            } catch (IOException e) {
                // closed, or the target refused: the client sees its connection end
            }
        }
    }

    /** One direction: read as it comes, each piece written when due, so a delayed path still carries many pieces in flight. */
    private void pump(Socket from, Socket to, AtomicBoolean dead) {
        BlockingQueue<Piece> wire = new LinkedBlockingQueue<>();
        Thread writer = Thread.ofVirtual().start(() -> deliver(wire, to));
        long lastDue = 0;
        try (InputStream in = from.getInputStream()) {
            byte[] buffer = new byte[16 * 1024];
            int read;
            while ((read = in.read(buffer)) >= 0) {
                if (dead.get()) {
                    continue; // swallowed: the path is gone and nobody says so
                }
                long jitter = jitterNanos == 0 ? 0 : ThreadLocalRandom.current().nextLong(-jitterNanos, jitterNanos + 1);
                lastDue = Math.max(lastDue, System.nanoTime() + delayNanos + jitter);
                wire.add(new Piece(Arrays.copyOf(buffer, read), lastDue));
            }
        } catch (IOException e) {
            // the sender went away
        } finally {
            wire.add(Piece.END);
        }
        try {
            writer.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void deliver(BlockingQueue<Piece> wire, Socket to) {
        try (OutputStream out = to.getOutputStream()) {
            while (true) {
                Piece piece = wire.take();
                if (piece == Piece.END) {
                    return;
                }
                for (long wait = piece.due() - System.nanoTime(); wait > 0; wait = piece.due() - System.nanoTime()) {
                    LockSupport.parkNanos(wait); // the path's latency: this virtual thread is the wire
                }
                out.write(piece.bytes());
                out.flush();
            }
        } catch (IOException | InterruptedException e) {
            // the receiver went away
        } finally {
            close(to);
        }
    }

    private record Piece(byte[] bytes, long due) {
        static final Piece END = new Piece(new byte[0], 0);
    }

    private static void close(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // already closed
        }
    }

    @Override
    public void close() throws IOException {
        listener.close();
        open.forEach(DelayRelay::close);
    }
}
