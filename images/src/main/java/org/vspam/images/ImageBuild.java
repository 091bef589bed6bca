package org.vspam.images;

import com.google.cloud.tools.jib.api.Containerizer;
import com.google.cloud.tools.jib.api.Jib;
import com.google.cloud.tools.jib.api.JibContainer;
import com.google.cloud.tools.jib.api.JibContainerBuilder;
import com.google.cloud.tools.jib.api.TarImage;
import com.google.cloud.tools.jib.api.buildplan.AbsoluteUnixPath;
import com.google.cloud.tools.jib.api.buildplan.FileEntriesLayer;
import com.google.cloud.tools.jib.api.buildplan.FilePermissions;
import com.google.cloud.tools.jib.api.buildplan.ImageFormat;
import com.google.cloud.tools.jib.api.buildplan.Platform;
import com.google.cloud.tools.jib.api.buildplan.Port;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Builds the agent's and the operator's container images with Jib, without a Docker daemon and
 * without a base image from a registry: every layer is a directory {@code stage-images.sh} filled.
 * The images' one definition: their layers, entry command, user, ports, volumes and labels.
 *
 * <pre>ImageBuild STAGING_DIR REPOSITORY VERSION AGENT_TAR OPERATOR_TAR</pre>
 *
 * Each archive is an OCI image layout in a tar file ({@code skopeo copy oci-archive:…}, {@code podman
 * load}, {@code docker load}). The same staged files give the same digest: every file and the image
 * itself are dated at fixed times, and every file is owned by root except the volumes.
 */
public final class ImageBuild {
    /** The nonroot user and group of the base layer's /etc/passwd, as in distroless images. */
    static final String NONROOT = "65532:65532";
    /** When Jib dates files by default; the agent's AOT cache is recorded on a jar of this time. */
    static final Instant FILES_TIME = Instant.ofEpochSecond(1);
    static final Map<String, String> ENVIRONMENT = Map.of(
            // glibc's per-thread malloc arenas are memory a small JVM does not need.
            "MALLOC_ARENA_MAX", "2");

    /** One image: its layers (staged directories, base first) and its runtime settings. */
    record Image(String name, String description, List<String> layers, List<String> entrypoint, List<String> arguments,
                 String workingDirectory, List<Integer> ports, List<String> volumes) {
    }

    static final Image AGENT = new Image("vspam-agent", "Anti-phishing mail policy service backed by vspam.org threat data",
            List.of("base", "agent-runtime", "agent"),
            List.of("/usr/lib/vspam-agent/runtime/bin/java", "@/usr/lib/vspam-agent/jvm.options",
                    "-XX:AOTCache=/usr/lib/vspam-agent/vspam-agent.aot", "-jar", "/usr/lib/vspam-agent/vspam-agent.jar"),
            List.of("serve"),
            "/var/lib/vspam",
            // the policy service, the HTTP API, and health and metrics when they have metrics_listen (as the operator sets it)
            List.of(10045, 10046, 10048),
            List.of("/tmp", "/var/lib/vspam", "/var/run/vspam"));

    static final Image OPERATOR = new Image("vspam-operator", "Kubernetes operator of the vspam agent",
            List.of("base", "operator-runtime", "operator"),
            List.of("/usr/lib/vspam-operator/runtime/bin/java", "@/usr/lib/vspam-operator/jvm.options",
                    "-jar", "/usr/lib/vspam-operator/vspam-operator.jar"),
            List.of(),
            "/tmp",
            // probes and metrics; the admission webhook (TLS)
            List.of(8080, 8443),
            List.of("/tmp"));

    private ImageBuild() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 5) {
            System.err.println("usage: ImageBuild STAGING_DIR REPOSITORY VERSION AGENT_TAR OPERATOR_TAR");
            System.exit(64);
        }
        Path staging = Path.of(args[0]);
        String repository = args[1];
        String version = args[2];
        build(AGENT, staging, repository, version, Path.of(args[3]));
        build(OPERATOR, staging, repository, version, Path.of(args[4]));
    }

    static void build(Image image, Path staging, String repository, String version, Path tar) throws Exception {
        String reference = repository + "/" + image.name() + ":" + version;
        JibContainerBuilder builder = Jib.fromScratch()
                .setFormat(ImageFormat.OCI)
                .setPlatforms(Set.of(new Platform("amd64", "linux")))
                .setCreationTime(Instant.EPOCH)
                .setUser(NONROOT)
                .setEntrypoint(image.entrypoint())
                .setProgramArguments(image.arguments())
                .setEnvironment(ENVIRONMENT)
                .setWorkingDirectory(AbsoluteUnixPath.get(image.workingDirectory()))
                .setExposedPorts(Set.copyOf(image.ports().stream().map(Port::tcp).toList()))
                .setVolumes(Set.copyOf(image.volumes().stream().map(AbsoluteUnixPath::get).toList()))
                .setLabels(labels(image, version));
        for (String layer : image.layers()) {
            builder.addFileEntriesLayer(layer(layer, staging.resolve(layer), image.volumes()));
        }
        Files.createDirectories(tar.toAbsolutePath().getParent());
        JibContainer container = builder.containerize(Containerizer.to(TarImage.at(tar).named(reference))
                .setToolName("vspam-images"));
        Files.writeString(tar.resolveSibling(tar.getFileName().toString().replace(".tar", ".digest")), container.getDigest() + "\n");
        System.out.printf("[images] %s: %s, %s, %d MiB%n", tar.getFileName(), reference, container.getDigest(),
                Files.size(tar) >> 20);
    }

    private static Map<String, String> labels(Image image, String version) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("org.opencontainers.image.title", image.name());
        labels.put("org.opencontainers.image.description", image.description());
        labels.put("org.opencontainers.image.version", version);
        labels.put("org.opencontainers.image.source", "https://github.com/vspam-org/vspam-agent");
        labels.put("org.opencontainers.image.url", "https://vspam.org");
        labels.put("org.opencontainers.image.vendor", "vspam.org");
        labels.put("org.opencontainers.image.licenses", "AGPL-3.0-only");
        return labels;
    }

    /**
     * A staged directory as one layer, its files at the same paths under /, owned by root; a volume's
     * directory (but /tmp, open to all) is the nonroot user's, so that a plain {@code docker run} can
     * write in it (Kubernetes mounts emptyDirs there anyway).
     */
    static FileEntriesLayer layer(String name, Path directory, List<String> volumes) {
        FileEntriesLayer.Builder layer = FileEntriesLayer.builder().setName(name);
        try (Stream<Path> files = Files.walk(directory)) {
            for (Path file : files.sorted().toList()) {
                if (file.equals(directory)) {
                    continue;
                }
                AbsoluteUnixPath target = AbsoluteUnixPath.get("/" + directory.relativize(file).toString().replace('\\', '/'));
                String path = target.toString();
                if (path.equals("/tmp")) {
                    // no sticky bit in Jib's modes; Kubernetes mounts an emptyDir here
                    layer.addEntry(file, target, FilePermissions.fromOctalString("777"), FILES_TIME, "0:0");
                } else if (volumes.contains(path)) {
                    layer.addEntry(file, target, FilePermissions.fromOctalString("755"), FILES_TIME, NONROOT);
                } else {
                    layer.addEntry(file, target, FilePermissions.fromOctalString(mode(file)), FILES_TIME, "0:0");
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the staged layer " + directory, e);
        }
        return layer.build();
    }

    /** 755 for directories and executables, 644 for the rest: nothing in the image is writable but the volumes. */
    private static String mode(Path file) {
        return Files.isDirectory(file) || Files.isExecutable(file) ? "755" : "644";
    }
}
