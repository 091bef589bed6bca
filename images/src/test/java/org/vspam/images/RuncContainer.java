package org.vspam.images;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.VolumeMount;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.vspam.agent.testing.Commands;
import org.vspam.agent.testing.Tools;

/**
 * An image run by {@code runc} from its unpacked bundle, with what the kubelet sets for a container of
 * the operator's making: its user, a read-only root filesystem, no capabilities, no new privileges,
 * the environment and arguments, a tmpfs at /tmp, host directories for its volumes, /etc/hosts, and a
 * cgroup memory limit. It shares the host's network namespace, where the tests listen on loopback.
 * Its output (the log) goes to a file.
 */
public final class RuncContainer implements AutoCloseable {
    private static final Path STATE = Path.of("/run/vspam-test-runc");
    private static final AtomicInteger SEQUENCE = new AtomicInteger();

    private final String id;
    private final Process runc;
    private final Path log;

    private RuncContainer(String id, Process runc, Path log) {
        this.id = id;
        this.runc = runc;
        this.log = log;
    }

    public static Builder of(OciImage image) {
        return new Builder(image);
    }

    public static final class Builder {
        private final OciImage image;
        private List<String> arguments;
        private final Map<String, String> env = new LinkedHashMap<>();
        private final List<String[]> binds = new ArrayList<>(); // host, container, "ro"|"rw"
        private long uid = 65532;
        private long memoryLimit;
        private String hosts = "127.0.0.1 localhost\n::1 localhost ip6-localhost\n";

        private Builder(OciImage image) {
            this.image = image;
        }

        /** The container's arguments (Kubernetes' {@code args}: they replace the image's CMD). */
        public Builder arguments(List<String> arguments) {
            this.arguments = List.copyOf(arguments);
            return this;
        }

        public Builder env(Map<String, String> env) {
            this.env.putAll(env);
            return this;
        }

        public Builder bind(Path host, String container, boolean readOnly) {
            binds.add(new String[] {host.toAbsolutePath().toString(), container, readOnly ? "ro" : "rw"});
            return this;
        }

        /** A line of the container's /etc/hosts, as {@code hostAliases} adds one. */
        public Builder host(String address, String name) {
            hosts += address + " " + name + "\n";
            return this;
        }

        public Builder memoryLimit(long bytes) {
            this.memoryLimit = bytes;
            return this;
        }

        /**
         * As the kubelet runs {@code container}: its args, its literal environment (references to
         * Secrets resolved from {@code secrets}), its user, and each volume mount from the host
         * directory {@code volumes} names (read-only where the mount says so).
         */
        public Builder kubernetes(Container container, Map<String, Path> volumes, Map<String, String> secrets) {
            if (container.getCommand() != null && !container.getCommand().isEmpty()) {
                throw new IllegalArgumentException("the operator's containers use the image's entry command");
            }
            arguments(container.getArgs());
            for (EnvVar variable : container.getEnv()) {
                String value = variable.getValue() != null ? variable.getValue() : secrets.get(variable.getName());
                if (value == null) {
                    throw new IllegalArgumentException("no value for " + variable.getName());
                }
                env.put(variable.getName(), value);
            }
            for (VolumeMount mount : container.getVolumeMounts()) {
                Path host = volumes.get(mount.getName());
                if (host == null) {
                    throw new IllegalArgumentException("no host directory for the volume " + mount.getName());
                }
                bind(host, mount.getMountPath(), Boolean.TRUE.equals(mount.getReadOnly()));
            }
            SecurityContext security = container.getSecurityContext();
            if (security == null || !Boolean.TRUE.equals(security.getReadOnlyRootFilesystem())
                    || !Boolean.FALSE.equals(security.getAllowPrivilegeEscalation())
                    || !security.getCapabilities().getDrop().contains("ALL")) {
                throw new IllegalArgumentException("the operator's containers run read-only, without capabilities: " + security);
            }
            uid = security.getRunAsUser();
            return this;
        }

        /** Starts the container; {@code logs} is where its log file goes. */
        public RuncContainer start(Path logs) throws IOException {
            Tools.require("runc", "apt-get install runc");
            String id = image.name() + "-" + ProcessHandle.current().pid() + "-" + SEQUENCE.incrementAndGet();
            Path bundle = Files.createDirectories(logs.resolve(id));
            Path hostsFile = Files.writeString(bundle.resolve("hosts"), hosts);
            Files.writeString(bundle.resolve("config.json"), OciImage.JSON.writerWithDefaultPrettyPrinter()
                    .writeValueAsString(configuration(hostsFile)));
            Path log = logs.resolve(id + ".log");
            Process runc = new ProcessBuilder("runc", "--root", STATE.toString(), "run", "--bundle", bundle.toString(), id)
                    .redirectErrorStream(true).redirectOutput(log.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
            return new RuncContainer(id, runc, log);
        }

        private JsonNode configuration(Path hostsFile) throws IOException {
            ObjectNode config = (ObjectNode) image.runtimeConfig();
            ObjectNode process = (ObjectNode) config.get("process");
            process.put("terminal", false);
            process.put("noNewPrivileges", true);
            ((ObjectNode) process.get("user")).put("uid", uid).put("gid", uid);
            ObjectNode capabilities = process.putObject("capabilities");
            for (String set : List.of("bounding", "effective", "inheritable", "permitted", "ambient")) {
                capabilities.putArray(set);
            }
            if (arguments != null) {
                ArrayNode args = ((ArrayNode) process.get("args")).removeAll();
                image.entrypoint().forEach(args::add);
                arguments.forEach(args::add);
            }
            ArrayNode environment = (ArrayNode) process.get("env");
            env.forEach((name, value) -> environment.add(name + "=" + value));
            ObjectNode root = (ObjectNode) config.get("root");
            root.put("path", image.rootfs().toString());
            root.put("readonly", true);
            ArrayNode mounts = (ArrayNode) config.get("mounts");
            ObjectNode tmp = mounts.addObject().put("destination", "/tmp").put("type", "tmpfs").put("source", "tmpfs");
            tmp.putArray("options").add("nosuid").add("nodev").add("mode=1777").add("size=65536k");
            binds.forEach(bind -> {
                ObjectNode mount = mounts.addObject().put("destination", bind[1]).put("type", "bind").put("source", bind[0]);
                mount.putArray("options").add("rbind").add(bind[2]);
            });
            ObjectNode hostsMount = mounts.addObject().put("destination", "/etc/hosts").put("type", "bind").put("source", hostsFile.toString());
            hostsMount.putArray("options").add("rbind").add("ro");
            ObjectNode linux = (ObjectNode) config.get("linux");
            ArrayNode namespaces = (ArrayNode) linux.get("namespaces");
            for (int i = namespaces.size() - 1; i >= 0; i--) {
                if (namespaces.get(i).get("type").asText().equals("network")) {
                    namespaces.remove(i); // the host's network: its loopback is where the tests listen
                }
            }
            if (memoryLimit > 0) {
                ObjectNode resources = linux.has("resources") ? (ObjectNode) linux.get("resources") : linux.putObject("resources");
                resources.putObject("memory").put("limit", memoryLimit).put("swap", memoryLimit);
            }
            return config;
        }
    }

    /** Everything the container printed so far. */
    public String log() throws IOException {
        return Files.readString(log);
    }

    /** The container's first process as the host sees it. */
    public long pid() throws IOException, InterruptedException {
        JsonNode state = OciImage.JSON.readTree(Commands.run(List.of("runc", "--root", STATE.toString(), "state", id)));
        return state.get("pid").asLong();
    }

    public boolean running() {
        return runc.isAlive();
    }

    /** Sends {@code signal} to the container's first process, as the kubelet stops it with TERM. */
    public void signal(String signal) throws IOException, InterruptedException {
        Commands.run(List.of("runc", "--root", STATE.toString(), "kill", id, signal));
    }

    /** Waits for the container to end and returns its exit status. */
    public int exitStatus() throws InterruptedException {
        if (!runc.waitFor(60, TimeUnit.SECONDS)) {
            throw new IllegalStateException(id + " did not exit");
        }
        return runc.exitValue();
    }

    @Override
    public void close() throws Exception {
        if (runc.isAlive()) {
            Commands.run(List.of("runc", "--root", STATE.toString(), "kill", id, "KILL"), false);
            runc.waitFor(30, TimeUnit.SECONDS);
        }
        Commands.run(List.of("runc", "--root", STATE.toString(), "delete", "--force", id), false);
    }
}
