package org.vspam.images;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.vspam.agent.testing.Commands;
import org.vspam.agent.testing.Ports;
import org.vspam.agent.testing.Tools;

/**
 * Both images pushed to a registry (Debian's docker-registry on a loopback port) with docs/images.md's
 * command and pulled back: the registry and the pulled copy have the digest the build wrote.
 */
@Timeout(180)
class RegistryIT {

    @Test
    void theImagesKeepTheirDigestsThroughARegistry() throws Exception {
        Tools.require("docker-registry", "apt-get install docker-registry");
        Path work = Files.createTempDirectory("vspam-registry-");
        int port = Ports.freeTcpPort();
        Path config = Files.writeString(work.resolve("registry.yml"), """
                version: 0.1
                log:
                  level: warn
                storage:
                  filesystem:
                    rootdirectory: %s
                http:
                  addr: 127.0.0.1:%d
                """.formatted(work.resolve("storage"), port));
        Process registry = new ProcessBuilder("docker-registry", "serve", config.toString()).redirectErrorStream(true)
                .redirectOutput(work.resolve("registry.log").toFile()).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        try {
            await("the registry").atMost(Duration.ofSeconds(30)).until(() -> Ports.accepting(port));
            for (OciImage image : List.of(OciImage.agent(), OciImage.operator())) {
                String built = Files.readString(Path.of(image.archive().toString().replace(".tar", ".digest"))).strip();
                String reference = "127.0.0.1:" + port + "/vspam-org/" + image.name() + ":test";
                // docs/images.md's push command, with the loopback registry's plain HTTP allowed
                Commands.run(List.of("skopeo", "copy", "--quiet", "--preserve-digests", "--dest-tls-verify=false",
                        "oci-archive:" + image.archive(), "docker://" + reference));

                String pushed = OciImage.JSON.readTree(Commands.run(List.of("skopeo", "inspect", "--tls-verify=false",
                        "docker://" + reference))).get("Digest").asText();
                assertThat(pushed).as(image.name() + " in the registry").isEqualTo(built);

                Path pulled = work.resolve(image.name() + "-pulled");
                Commands.run(List.of("skopeo", "copy", "--quiet", "--preserve-digests", "--src-tls-verify=false",
                        "docker://" + reference, "oci:" + pulled + ":test"));
                String index = Files.readString(pulled.resolve("index.json"));
                assertThat(OciImage.JSON.readTree(index).get("manifests").get(0).get("digest").asText())
                        .as(image.name() + " pulled back").isEqualTo(built);
            }
        } finally {
            registry.destroy();
            Commands.run(List.of("rm", "-rf", work.toString()));
        }
    }
}
