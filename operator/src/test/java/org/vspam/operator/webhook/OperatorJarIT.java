package org.vspam.operator.webhook;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The shaded operator jar, started as the packages' runtime would ({@code java @images/operator.jvm.options
 * -jar}, the chart's environment), through {@link OperatorScenario}. The image runs the same scenario
 * in the images module.
 */
@EnableKubernetesMockClient(crud = true)
@Timeout(180)
class OperatorJarIT {
    static KubernetesClient client;

    @Test
    void thePackagedOperatorInjectsByWebhookOverTlsTheApiServerTrusts() throws Exception {
        Path root = Path.of("..").toAbsolutePath().normalize();
        Path log = Files.createTempFile("vspam-operator-jar", ".log");
        OperatorScenario.injectsByWebhookOverTlsTheApiServerTrusts(client, environment -> {
            ProcessBuilder builder = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"),
                    "@" + root.resolve("images/operator.jvm.options"), "-jar", root.resolve("operator/target/vspam-operator.jar").toString())
                    .redirectErrorStream(true).redirectOutput(log.toFile()).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            builder.environment().putAll(environment);
            Process operator = builder.start();
            return new OperatorScenario.Running() {
                @Override
                public String log() throws Exception {
                    return Files.readString(log);
                }

                @Override
                public boolean stop() throws Exception {
                    operator.destroy();
                    return operator.waitFor(30, TimeUnit.SECONDS);
                }
            };
        });
    }
}
