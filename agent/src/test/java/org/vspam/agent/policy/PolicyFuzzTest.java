package org.vspam.agent.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.vspam.agent.Agent;
import org.vspam.agent.testing.AgentHarness;
import org.vspam.agent.testing.FakeVspamApi;
import org.vspam.agent.testing.PolicyClient;
import org.vspam.agent.testing.ThreatFixtures;

/**
 * Random and mutated policy requests against the real server: LF and CRLF, every kind of split,
 * NULs, control characters, invalid UTF-8, odd names, empty values, empty requests. Every request
 * gets exactly one {@code action=} answer, none hangs, and a listed canary on another connection is
 * still refused after every batch. Seeded, so a failure names the seed that reproduces it;
 * {@code -Dfuzz.requests=1000000 -Dfuzz.seed=N} (the {@code fuzz} profile) runs long.
 */
@Timeout(3600)
class PolicyFuzzTest {
    private static final long SEED = Long.getLong("fuzz.seed", 20261201L);
    private static final int REQUESTS = Integer.getInteger("fuzz.requests", 3_000);
    private static final String REJECT = "action=550 Message rejected: sender listed in vspam.org (phishing)";
    private static final List<String> NAMES = List.of("request", "protocol_state", "protocol_name", "sender", "recipient",
            "client_address", "client_name", "helo_name", "queue_id", "instance", "size", "sasl_username", "x-odd", "SENDER", "");
    private static final List<String> SENDERS = List.of("a@" + ThreatFixtures.PHISH, "b@" + ThreatFixtures.CLEAN, "", "<>", "@", "a@",
            "a@b@" + ThreatFixtures.PHISH, "x@[192.0.2.1]", "x@[IPv6:2001:db8::1]", "x@bücher.example", "x@" + "a".repeat(300) + ".example",
            "x@" + ThreatFixtures.PHISH + ".", "x@..example", "MAILER-DAEMON");
    private static final List<String> ADDRESSES = List.of(ThreatFixtures.CLEAN_IP, ThreatFixtures.LISTED_IPV4, "2001:DB8::66", "unknown", "",
            "999.1.1.1", "::ffff:192.0.2.1", "192.0.2.1\u0000", "fe80::1%eth0");

    private static FakeVspamApi api;
    private static Agent agent;

    @BeforeAll
    static void start() throws Exception {
        api = new FakeVspamApi();
        agent = AgentHarness.start("api_url: " + api.baseUrl() + "\ndnsbl_enabled: false\nlisten: tcp://localhost:0\ncache_path: \"\"\n"
                + "decision_timeout: 1s\n");
    }

    @AfterAll
    static void stop() {
        agent.close();
        api.close();
    }

    @Test
    void everyRequestGetsOneActionAnswerAndNothingHangs() throws Exception {
        Random random = new Random(SEED);
        long residentBefore = residentKib();
        int sent = 0;
        int batches = 0;
        try (PolicyClient canary = PolicyClient.tcp(agent.policyServer().port())) {
            while (sent < REQUESTS) {
                int batch = 1 + random.nextInt(20);
                batch(random, batch, "seed " + SEED + ", batch " + batches);
                sent += batch;
                batches++;
                assertThat(canary.ask("canary@" + ThreatFixtures.PHISH, ThreatFixtures.CLEAN_IP)).as("seed %d, after batch %d", SEED, batches)
                        .isEqualTo(REJECT);
            }
        }
        System.out.printf("policy fuzz: seed %d, %d requests in %d batches, resident memory %d KiB before, %d KiB after%n",
                SEED, sent, batches, residentBefore, residentKib());
    }

    /** One connection: {@code count} requests written in random pieces, then every answer read. */
    private static void batch(Random random, int count, String where) throws IOException {
        String eol = random.nextBoolean() ? "\n" : "\r\n";
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        for (int i = 0; i < count; i++) {
            request(random, eol, wire);
        }
        byte[] bytes = wire.toByteArray();
        try (PolicyClient client = PolicyClient.tcp(agent.policyServer().port())) { // reads time out after 10 s: a hang
            int at = 0;
            int style = random.nextInt(3); // all at once, one byte per write, random pieces
            while (at < bytes.length) {
                int length = style == 0 ? bytes.length - at : style == 1 ? 1 : 1 + random.nextInt(Math.min(64, bytes.length - at));
                client.send(bytes, at, length);
                at += length;
            }
            for (int i = 0; i < count; i++) {
                assertThat(client.readAnswer()).as("%s, answer %d of %d", where, i + 1, count).matches("action=(DUNNO|550 .+)");
            }
        }
    }

    /** A request as Postfix writes one, mutated; never a bare line break inside it, so its end stays where it is. */
    private static void request(Random random, String eol, ByteArrayOutputStream wire) {
        if (random.nextInt(30) == 0) {
            wire.writeBytes(eol.getBytes(StandardCharsets.US_ASCII)); // an empty request
            return;
        }
        int lines = random.nextInt(12);
        if (random.nextInt(4) != 0) {
            line(wire, "request=smtpd_access_policy", eol);
        }
        line(wire, "sender=" + pick(random, SENDERS), eol);
        line(wire, "client_address=" + pick(random, ADDRESSES), eol);
        for (int i = 0; i < lines; i++) {
            String name = pick(random, NAMES);
            byte[] value = value(random);
            ByteArrayOutputStream text = new ByteArrayOutputStream();
            text.writeBytes(name.getBytes(StandardCharsets.UTF_8));
            if (random.nextInt(10) != 0) {
                text.write('=');
            }
            text.writeBytes(value);
            wire.writeBytes(text.toByteArray());
            wire.writeBytes(eol.getBytes(StandardCharsets.US_ASCII));
        }
        wire.writeBytes(eol.getBytes(StandardCharsets.US_ASCII));
    }

    private static byte[] value(Random random) {
        int length = random.nextInt(random.nextInt(10) == 0 ? 2_000 : 40);
        byte[] value = new byte[length];
        for (int i = 0; i < length; i++) {
            byte b = switch (random.nextInt(8)) {
                case 0 -> 0; // NUL
                case 1 -> (byte) (0x80 + random.nextInt(0x80)); // a byte that is no UTF-8 on its own
                case 2 -> (byte) random.nextInt(0x20); // control characters
                default -> (byte) (0x20 + random.nextInt(0x5f));
            };
            value[i] = b == '\n' || b == '\r' ? (byte) ' ' : b;
        }
        return value;
    }

    private static void line(ByteArrayOutputStream wire, String text, String eol) {
        wire.writeBytes((text + eol).getBytes(StandardCharsets.UTF_8));
    }

    private static <T> T pick(Random random, List<T> values) {
        return values.get(random.nextInt(values.size()));
    }

    private static long residentKib() throws IOException {
        return Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith("VmRSS:"))
                .map(l -> Long.parseLong(l.replaceAll("\\D", ""))).findFirst().orElse(-1L);
    }
}
