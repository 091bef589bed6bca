package org.vspam.agent.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;

/**
 * Debian's real Exim ({@code exim4-daemon-light}) as a private daemon on a free loopback port, its
 * RCPT ACL asking the agent's HTTP check API with the {@code ${readsocket}} line the README gives.
 *
 * <p>Debian's Exim and Postfix packages conflict, so where Postfix is installed {@code .ci/run}
 * unpacks Exim's packages into {@link #UNPACKED} instead of installing them; either place works.
 */
public final class EximInstance implements AutoCloseable {
    public static final Path UNPACKED = Path.of("/opt/vspam-test/exim4");
    private static final List<Path> BINARIES = List.of(Path.of("/usr/sbin/exim4"), UNPACKED.resolve("usr/sbin/exim4"));

    private final Process daemon;
    private final int port;

    private EximInstance(Process daemon, int port) {
        this.daemon = daemon;
        this.port = port;
    }

    /** Starts Exim with the README's RCPT ACL pointed at the agent's HTTP check API on {@code checkPort}. */
    public static EximInstance start(Path dir, int checkPort) throws IOException, InterruptedException {
        Path exim = BINARIES.stream().filter(Files::isExecutable).findFirst().orElseThrow(() -> new IllegalStateException(
                "Exim is needed by this test: apt-get download exim4-daemon-light exim4-base and unpack them into " + UNPACKED
                        + " with dpkg -x, or install exim4-daemon-light (.ci/run does the former)"));
        int port = Ports.freeTcpPort();
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x")); // Exim drops to Debian-exim
        Path spool = Files.createDirectories(dir.resolve("spool"));
        Path log = Files.createDirectories(dir.resolve("log"));
        Commands.run(List.of("chown", "-R", "Debian-exim", spool.toString(), log.toString()));
        Path config = Files.writeString(dir.resolve("exim.conf"), config(spool, log, port, checkPort));
        Process daemon = new ProcessBuilder(exim.toString(), "-C", config.toString(), "-bdf", "-oX", Integer.toString(port))
                .redirectErrorStream(true).redirectOutput(dir.resolve("exim.out").toFile()).start();
        Awaitility.await("Exim listening on port " + port).atMost(20, TimeUnit.SECONDS)
                .until(() -> Ports.accepting(port) || !daemon.isAlive());
        if (!daemon.isAlive()) {
            throw new IOException("Exim did not start: " + Files.readString(dir.resolve("exim.out")));
        }
        return new EximInstance(daemon, port);
    }

    /** The RCPT ACL as the README prints it; only the port differs. */
    private static String config(Path spool, Path log, int port, int checkPort) {
        return """
                primary_hostname = mx.example.org
                daemon_smtp_ports = %3$d
                local_interfaces = 127.0.0.1
                spool_directory = %1$s
                log_file_path = %2$s/%%slog
                pid_file_path = %1$s/exim.pid
                exim_user = Debian-exim
                keep_environment =
                tls_advertise_hosts =
                queue_only = true
                acl_smtp_rcpt = acl_check_rcpt

                begin acl

                acl_check_rcpt:
                  deny
                    set acl_m_vspam = ${readsocket{inet:127.0.0.1:%4$d}{GET /check?sender_domain=${domain:$sender_address}&client_ip=$sender_host_address HTTP/1.0\\r\\n\\r\\n}{5s}{}{}}
                    condition = ${if match{$acl_m_vspam}{"malicious":true}}
                    message = 550 Sender blocked by vspam.org
                  accept
                """.formatted(spool, log, port, checkPort);
    }

    /** swaks up to RCPT from 127.0.0.1; the transcript shows Exim's answer. */
    public String rcpt(String sender) throws IOException, InterruptedException {
        return Commands.swaksRcpt(port, sender, null);
    }

    @Override
    public void close() throws InterruptedException {
        daemon.destroy();
        if (!daemon.waitFor(10, TimeUnit.SECONDS)) {
            daemon.destroyForcibly();
        }
    }
}
