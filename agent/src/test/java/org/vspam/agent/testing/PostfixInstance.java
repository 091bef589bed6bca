package org.vspam.agent.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;

/**
 * A private instance of Debian's real Postfix, listening on a free loopback port, whose RCPT
 * restrictions ask the agent through {@code check_policy_service} exactly as the README tells
 * operators to. Needs root (Postfix's master runs as root) and the postfix package.
 */
public final class PostfixInstance implements AutoCloseable {
    /** Postfix accepts {@code -c DIR} only for directories the default main.cf lists. */
    public static final Path DIRECTORY = Path.of("/var/tmp/vspam-agent-postfix-test");
    private static final Path DEFAULT_MAIN_CF = Path.of("/etc/postfix/main.cf");
    private static final String MARK = "# written by vspam-agent's tests";

    private final Path postfix;
    private final int port;

    private PostfixInstance(Path postfix, int port) {
        this.postfix = postfix;
        this.port = port;
    }

    /** Starts Postfix asking the policy service at {@code policyService} (e.g. {@code inet:127.0.0.1:10045}). */
    public static PostfixInstance start(String policyService) throws Exception {
        return start(policyService, "");
    }

    /** As {@link #start(String)}, with more main.cf lines. */
    public static PostfixInstance start(String policyService, String moreMainCf) throws Exception {
        Path postfix = Tools.require("postfix", "apt-get install postfix");
        Tools.require("swaks", "apt-get install swaks");
        if (!"root".equals(System.getProperty("user.name"))) {
            throw new IllegalStateException("the Postfix end-to-end test must run as root: Postfix's master process starts as root");
        }
        allowPrivateConfigDirectory();
        stopLeftover(postfix);
        reset();
        int port = Ports.freeTcpPort();
        Files.writeString(DIRECTORY.resolve("main.cf"), mainCf(policyService) + moreMainCf);
        Files.writeString(DIRECTORY.resolve("master.cf"), masterCf(port));
        Commands.run(List.of("chown", "postfix:postfix", DIRECTORY.resolve("data").toString()));
        Commands.run(List.of(postfix.toString(), "-c", DIRECTORY.toString(), "start"));
        PostfixInstance instance = new PostfixInstance(postfix, port);
        Awaitility.await("Postfix listening on port " + port).atMost(20, TimeUnit.SECONDS).until(() -> Ports.accepting(port));
        return instance;
    }

    public int port() {
        return port;
    }

    /**
     * Runs swaks up to RCPT and returns its transcript. {@code clientAddress} is set with XCLIENT,
     * so a listed client IP can be tested from loopback.
     */
    public String rcpt(String sender, String clientAddress) throws Exception {
        return Commands.swaksRcpt(port, sender, clientAddress);
    }

    /** As {@link #rcpt}, to {@code recipient}. */
    public String rcptTo(String sender, String clientAddress, String recipient) throws Exception {
        return Commands.swaksRcpt(port, sender, recipient, clientAddress, null);
    }

    /** As {@link #rcpt}, for a client that logged in as {@code login} (set with XCLIENT, as SASL would). */
    public String rcptAuthenticated(String sender, String clientAddress, String login) throws Exception {
        return Commands.swaksRcpt(port, sender, clientAddress, login);
    }

    /** Sends a whole message with swaks (client address set with XCLIENT) and returns the transcript. */
    public String send(String sender, String clientAddress) throws Exception {
        return Commands.run(List.of("swaks", "--server", "127.0.0.1:" + port, "--from", sender, "--to", "user@example.org",
                "--helo", "mail.example.com", "--xclient", "ADDR=" + clientAddress + " NAME=mail.example.com", "--timeout", "30"), false);
    }

    /** Sends the message in {@code message} (headers and body, as a mail client writes it) with swaks, and returns the transcript. */
    public String sendMessage(String sender, String clientAddress, Path message) throws Exception {
        return sendMessage(sender, clientAddress, message, "user@example.org");
    }

    /** The same, to {@code recipient}. */
    public String sendMessage(String sender, String clientAddress, Path message, String recipient) throws Exception {
        return Commands.run(List.of("swaks", "--server", "127.0.0.1:" + port, "--from", sender, "--to", recipient,
                "--helo", "mail.example.com", "--xclient", "ADDR=" + clientAddress + " NAME=mail.example.com", "--timeout", "60",
                "--data", message.toString()), false);
    }

    /** A queued message, headers and body, as {@code postcat -q} shows it. */
    public String queued(String queueId) throws Exception {
        return Commands.run(List.of(postfix.resolveSibling("postcat").toString(), "-c", DIRECTORY.toString(), "-q", queueId));
    }

    public String maillog() throws IOException {
        Path log = DIRECTORY.resolve("maillog");
        return Files.exists(log) ? Files.readString(log) : "";
    }

    @Override
    public void close() throws Exception {
        Commands.run(List.of(postfix.toString(), "-c", DIRECTORY.toString(), "stop"));
    }

    private static String mainCf(String policyService) {
        return """
                compatibility_level = 3.6
                queue_directory = %1$s/queue
                data_directory = %1$s/data
                maillog_file = %1$s/maillog
                maillog_file_prefixes = %1$s
                myhostname = mx.example.org
                mydomain = example.org
                mydestination = example.org
                local_recipient_maps =
                alias_maps =
                alias_database =
                inet_interfaces = 127.0.0.1
                inet_protocols = ipv4
                # 127.0.0.1 must not be trusted, or permit_mynetworks would skip the policy check
                mynetworks = 192.0.2.250/32
                smtpd_authorized_xclient_hosts = 127.0.0.0/8
                smtpd_recipient_restrictions = permit_mynetworks, permit_sasl_authenticated,
                    reject_unauth_destination, check_policy_service %2$s
                smtpd_policy_service_default_action = DUNNO
                smtpd_policy_service_timeout = 10s
                biff = no
                """.formatted(DIRECTORY, policyService);
    }

    /** Only the services an SMTP conversation up to RCPT needs, none chrooted. */
    private static String masterCf(int port) {
        return """
                127.0.0.1:%d inet n - n - - smtpd
                pickup    unix  n - n 60   1 pickup
                cleanup   unix  n - n -    0 cleanup
                qmgr      unix  n - n 300  1 qmgr
                rewrite   unix  - - n -    - trivial-rewrite
                bounce    unix  - - n -    0 bounce
                defer     unix  - - n -    0 bounce
                trace     unix  - - n -    0 bounce
                verify    unix  - - n -    1 verify
                flush     unix  n - n 1000? 0 flush
                proxymap  unix  - - n -    - proxymap
                smtp      unix  - - n -    - smtp
                relay     unix  - - n -    - smtp
                showq     unix  n - n -    - showq
                error     unix  - - n -    - error
                retry     unix  - - n -    - error
                discard   unix  - - n -    - discard
                local     unix  - n n -    - local
                anvil     unix  - - n -    1 anvil
                scache    unix  - - n -    1 scache
                postlog   unix-dgram n - n - 1 postlogd
                """.formatted(port);
    }

    private static void allowPrivateConfigDirectory() throws IOException {
        String line = "alternate_config_directories = " + DIRECTORY;
        if (!Files.exists(DEFAULT_MAIN_CF)) {
            Files.writeString(DEFAULT_MAIN_CF, MARK + "\ncompatibility_level = 3.6\n" + line + "\n");
            return;
        }
        String current = Files.readString(DEFAULT_MAIN_CF);
        if (!current.contains(DIRECTORY.toString())) {
            throw new IllegalStateException("Postfix only runs a private test instance from a directory its main.cf allows: add the line \""
                    + line + "\" to " + DEFAULT_MAIN_CF);
        }
    }

    private static void stopLeftover(Path postfix) throws IOException, InterruptedException {
        if (Files.exists(DIRECTORY.resolve("main.cf"))) {
            new ProcessBuilder(postfix.toString(), "-c", DIRECTORY.toString(), "abort").redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor(20, TimeUnit.SECONDS);
        }
    }

    private static void reset() throws IOException {
        if (Files.exists(DIRECTORY)) {
            try (var paths = Files.walk(DIRECTORY)) {
                for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(path);
                }
            }
        }
        Files.createDirectories(DIRECTORY.resolve("data"));
        Files.createDirectories(DIRECTORY.resolve("queue")); // postfix start fills it, but will not create it
    }
}
