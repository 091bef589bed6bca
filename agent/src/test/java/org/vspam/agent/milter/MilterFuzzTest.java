package org.vspam.agent.milter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.vspam.agent.Agent;
import org.vspam.agent.testing.AgentHarness;
import org.vspam.agent.testing.FakeVspamApi;
import org.vspam.agent.testing.LogCapture;
import org.vspam.agent.testing.MilterClient;
import org.vspam.agent.testing.ThreatFixtures;

/**
 * A seeded fuzz of the milter codec over real connections: random bytes, packets of every command
 * with random data, lengths of zero, of 4 GiB and just beyond the limit, packets cut short. None may
 * hang the agent, hold memory for a length it was told, or stop the well-behaved connection that
 * keeps sending messages throughout; each broken connection is closed with one log line.
 */
@Timeout(120)
class MilterFuzzTest {
    private static final long SEED = 20_261_206L;
    private static final int CONNECTIONS = 300;
    private static final byte[] LISTED = ("Sign in at https://" + ThreatFixtures.PHISH + "/now\r\n").getBytes(StandardCharsets.UTF_8);

    @Test
    void brokenPeersNeverStopTheOthers() throws Exception {
        Random random = new Random(SEED);
        try (FakeVspamApi api = new FakeVspamApi();
             Agent agent = AgentHarness.start(AgentHarness.milterYaml(api, ""));
             LogCapture log = LogCapture.of(MilterHandler.class)) {
            int port = agent.milterServer().orElseThrow().port();
            AtomicBoolean fuzzing = new AtomicBoolean(true);
            AtomicInteger decided = new AtomicInteger();
            AtomicReference<Throwable> wellBehavedFailed = new AtomicReference<>();
            Thread wellBehaved = Thread.ofPlatform().start(() -> {
                try (MilterClient client = MilterClient.tcp(port)) {
                    client.connect(ThreatFixtures.CLEAN_IP);
                    while (fuzzing.get()) {
                        MilterClient.Answer answer = client.message("alice@" + ThreatFixtures.CLEAN, "text/plain", LISTED, 7);
                        if (answer.code() != 'y') {
                            throw new AssertionError("a listed link answered " + answer);
                        }
                        decided.incrementAndGet();
                    }
                } catch (Throwable e) {
                    wellBehavedFailed.set(e);
                }
            });
            long before = usedHeap();
            int closedByAgent = 0;
            for (int i = 0; i < CONNECTIONS; i++) {
                if (fuzz(port, random)) {
                    closedByAgent++;
                }
            }
            fuzzing.set(false);
            wellBehaved.join(Duration.ofSeconds(20));
            assertThat(wellBehavedFailed.get()).as("the well-behaved connection").isNull();
            assertThat(decided.get()).as("messages decided beside the fuzz").isGreaterThan(10);
            assertThat(closedByAgent).as("broken connections closed by the agent").isGreaterThan(CONNECTIONS / 10);
            await("broken connections closed").atMost(Duration.ofSeconds(10))
                    .until(() -> agent.milterServer().orElseThrow().openConnections() == 0);
            assertThat(log.lines()).as("one line per broken connection at most").hasSizeLessThanOrEqualTo(CONNECTIONS)
                    .allSatisfy(line -> assertThat(line).contains("milter connection from").contains("closing it"));
            System.gc();
            assertThat(usedHeap() - before).as("heap held after the fuzz").isLessThan(64L << 20);

            // and a new connection is served as ever
            try (MilterClient client = MilterClient.tcp(port)) {
                client.connect(ThreatFixtures.CLEAN_IP);
                assertThat(client.message("bob@" + ThreatFixtures.CLEAN, "text/plain", "nothing here\r\n".getBytes(StandardCharsets.UTF_8), 64)
                        .code()).isEqualTo('c');
            }
        }
    }

    /** One broken peer; true when the agent closed the connection, false when it waited for more (a packet cut short). */
    private static boolean fuzz(int port, Random random) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(100);
            OutputStream out = socket.getOutputStream();
            if (random.nextBoolean()) {
                MilterClient.raw(out, packet('O', ByteBuffer.allocate(12).putInt(6).putInt(0x1ff).putInt(0x1fffff).array()));
            }
            MilterClient.raw(out, broken(random));
            InputStream in = socket.getInputStream();
            try {
                while (in.read() >= 0) {
                    // replies to what was well-formed; the end of the stream is the agent closing
                }
                return true;
            } catch (SocketTimeoutException waiting) {
                return false;
            }
        }
    }

    private static byte[] broken(Random random) {
        return switch (random.nextInt(6)) {
            case 0 -> bytes(random, random.nextInt(2_000));
            case 1 -> ByteBuffer.allocate(5).putInt(0).put((byte) 'C').array(); // a length of zero
            case 2 -> ByteBuffer.allocate(8).putInt(random.nextBoolean() ? -1 : MilterDecoder.MAX_PACKET + 1).putInt(random.nextInt()).array();
            case 3 -> {
                byte[] whole = packet("OCMLNBEDAQKHRTU".charAt(random.nextInt(15)), bytes(random, random.nextInt(300)));
                yield Arrays.copyOf(whole, 1 + random.nextInt(whole.length)); // cut short anywhere
            }
            case 4 -> packet("OCMLD".charAt(random.nextInt(5)), bytes(random, random.nextInt(40))); // data that does not fit its command
            default -> {
                List<byte[]> packets = new ArrayList<>();
                for (int i = random.nextInt(20); i >= 0; i--) {
                    packets.add(packet((char) random.nextInt(128), bytes(random, random.nextInt(100))));
                }
                yield concat(packets);
            }
        };
    }

    private static byte[] packet(char code, byte[] data) {
        return ByteBuffer.allocate(5 + data.length).putInt(data.length + 1).put((byte) code).put(data).array();
    }

    private static byte[] bytes(Random random, int length) {
        byte[] bytes = new byte[length];
        random.nextBytes(bytes);
        return bytes;
    }

    private static byte[] concat(List<byte[]> parts) {
        ByteBuffer all = ByteBuffer.allocate(parts.stream().mapToInt(part -> part.length).sum());
        parts.forEach(all::put);
        return all.array();
    }

    private static long usedHeap() {
        Runtime runtime = Runtime.getRuntime();
        return runtime.totalMemory() - runtime.freeMemory();
    }
}
