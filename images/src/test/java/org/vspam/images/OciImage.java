package org.vspam.images;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.vspam.agent.testing.Commands;
import org.vspam.agent.testing.Tools;

/**
 * An image archive the build wrote, unpacked as a container runtime unpacks it: {@code skopeo} copies
 * the archive to an OCI layout, {@code umoci unpack} makes the runtime bundle (the root filesystem
 * with the layers' owners and modes, and the OCI runtime configuration of the image's entry command,
 * user and environment). Unpacked once per image and test run.
 */
public final class OciImage {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final Path ROOT = Path.of("target/oci").toAbsolutePath();
    private static final Map<String, OciImage> UNPACKED = new ConcurrentHashMap<>();

    private final String name;
    private final Path archive;
    private final Path layout;
    private final Path bundle;
    private final JsonNode configuration;

    private OciImage(String name, Path archive, Path layout, Path bundle, JsonNode configuration) {
        this.name = name;
        this.archive = archive;
        this.layout = layout;
        this.bundle = bundle;
        this.configuration = configuration;
    }

    /** The agent image, {@code agent/target/vspam-agent-image.tar}. */
    public static OciImage agent() {
        return unpacked("vspam-agent", Path.of("../agent/target/vspam-agent-image.tar"));
    }

    /** The operator image, {@code operator/target/vspam-operator-image.tar}. */
    public static OciImage operator() {
        return unpacked("vspam-operator", Path.of("../operator/target/vspam-operator-image.tar"));
    }

    private static OciImage unpacked(String name, Path archive) {
        return UNPACKED.computeIfAbsent(name, key -> {
            try {
                return unpack(key, archive.toAbsolutePath().normalize());
            } catch (IOException | InterruptedException e) {
                throw new IllegalStateException("cannot unpack " + archive, e);
            }
        });
    }

    private static OciImage unpack(String name, Path archive) throws IOException, InterruptedException {
        Tools.require("skopeo", "apt-get install skopeo");
        Tools.require("umoci", "apt-get install umoci");
        if (!Files.exists(archive)) {
            throw new IllegalStateException(archive + " is missing: the images module's package phase builds it");
        }
        Path layout = ROOT.resolve(name + "-layout");
        Path bundle = ROOT.resolve(name + "-bundle");
        Commands.run(List.of("rm", "-rf", layout.toString(), bundle.toString()));
        Files.createDirectories(ROOT);
        Commands.run(List.of("skopeo", "copy", "--quiet", "oci-archive:" + archive, "oci:" + layout + ":image"));
        Commands.run(List.of("umoci", "unpack", "--image", layout + ":image", bundle.toString()));
        JsonNode configuration = JSON.readTree(Commands.run(List.of("skopeo", "inspect", "--config", "oci:" + layout + ":image")));
        return new OciImage(name, archive, layout, bundle, configuration);
    }

    public String name() {
        return name;
    }

    public Path archive() {
        return archive;
    }

    /** The image's configuration (its {@code config}: entry command, user, environment, ports, volumes, labels). */
    public JsonNode configuration() {
        return configuration.get("config");
    }

    /** The image's entry command. */
    public List<String> entrypoint() {
        List<String> entrypoint = new java.util.ArrayList<>();
        configuration().get("Entrypoint").forEach(node -> entrypoint.add(node.asText()));
        return entrypoint;
    }

    /** A file of a layer, as {@code tar -tv} lists it: its mode (as {@code -rwxr-xr-x}) and its path under /. */
    public record LayerFile(String mode, String path) {
    }

    /**
     * Every file the image's layers hold, read from the layers themselves (the unpacked root
     * filesystem also gets the mount points a container runtime makes).
     */
    public List<LayerFile> layerFiles() throws IOException, InterruptedException {
        JsonNode index = JSON.readTree(layout.resolve("index.json").toFile());
        JsonNode manifest = JSON.readTree(blob(index.get("manifests").get(0).get("digest").asText()).toFile());
        List<LayerFile> files = new java.util.ArrayList<>();
        for (JsonNode layer : manifest.get("layers")) {
            String listing = Commands.run(List.of("tar", "--list", "--verbose", "--numeric-owner", "--warning=no-unknown-keyword", "--gzip", "--file",
                    blob(layer.get("digest").asText()).toString()));
            for (String line : listing.lines().toList()) {
                String[] fields = line.trim().split("\\s+", 6);
                files.add(new LayerFile(fields[0], "/" + fields[5].replaceFirst("/$", "")));
            }
        }
        return files;
    }

    private Path blob(String digest) {
        return layout.resolve("blobs").resolve(digest.replace(':', '/'));
    }

    /** The unpacked root filesystem. */
    public Path rootfs() {
        return bundle.resolve("rootfs");
    }

    /** The runtime configuration umoci made of the image's configuration. */
    public JsonNode runtimeConfig() throws IOException {
        return JSON.readTree(bundle.resolve("config.json").toFile());
    }
}
