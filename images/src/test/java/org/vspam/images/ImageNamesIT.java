package org.vspam.images;

import static org.assertj.core.api.Assertions.assertThat;

import io.micronaut.core.bind.annotation.Bindable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vspam.agent.testing.Commands;
import org.vspam.agent.testing.Tools;
import org.vspam.operator.OperatorSettings;
import org.yaml.snakeyaml.Yaml;

/** The images are built under the names the chart and the operator pull by default, and load so. */
class ImageNamesIT {
    private static final Path CHART = Path.of("../charts/vspam-operator");

    @Test
    void theChartAndTheOperatorNameTheImagesBuiltHere() throws Exception {
        Map<String, Object> chart = new Yaml().load(Files.readString(CHART.resolve("Chart.yaml")));
        Map<String, Map<String, Object>> values = new Yaml().load(Files.readString(CHART.resolve("values.yaml")));
        String tag = String.valueOf(chart.get("appVersion"));
        assertThat(values.get("image").get("tag")).isEqualTo("");
        assertThat(values.get("agentImage").get("tag")).isEqualTo("");

        assertThat(reference(OciImage.operator())).isEqualTo(values.get("image").get("repository") + ":" + tag);
        String agent = reference(OciImage.agent());
        assertThat(agent).isEqualTo(values.get("agentImage").get("repository") + ":" + tag);
        Bindable operatorDefault = OperatorSettings.class.getDeclaredConstructors()[0].getParameters()[1].getAnnotation(Bindable.class);
        assertThat(operatorDefault.defaultValue()).as("the operator's default agent image").isEqualTo(agent);
    }

    @Test
    void podmanLoadsEachArchiveUnderThatNameWithTheBuiltDigest(@TempDir Path storage) throws Exception {
        Tools.require("podman", "apt-get install podman");
        // a store of its own, and the storage driver that needs no kernel support
        List<String> podman = List.of("podman", "--root", storage.resolve("root").toString(), "--runroot", storage.resolve("run").toString(),
                "--storage-driver", "vfs");
        for (OciImage image : List.of(OciImage.agent(), OciImage.operator())) {
            // the command docs/images.md gives
            String loaded = Commands.run(concat(podman, "load", "-i", image.archive().toString()));
            String reference = reference(image);
            assertThat(loaded).contains("Loaded image: " + reference);
            String digest = Commands.run(concat(podman, "image", "inspect", "--format", "{{.Digest}}", reference)).strip();
            assertThat(digest).isEqualTo(Files.readString(Path.of(image.archive().toString().replace(".tar", ".digest"))).strip());
        }
    }

    private static List<String> concat(List<String> command, String... arguments) {
        return Stream.concat(command.stream(), Arrays.stream(arguments)).toList();
    }

    /** The name the build gave the archive's image ({@code podman load} tags it so). */
    private static String reference(OciImage image) throws Exception {
        String index = Commands.run(List.of("tar", "-xOf", image.archive().toString(), "index.json"));
        return OciImage.JSON.readTree(index).get("manifests").get(0).get("annotations").get("org.opencontainers.image.ref.name").asText();
    }
}
