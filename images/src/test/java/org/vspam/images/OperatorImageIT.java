package org.vspam.images;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.vspam.agent.testing.Commands;
import org.vspam.operator.webhook.OperatorScenario;

/**
 * The operator image, run by runc as the kubelet runs the chart's Deployment (uid 65532, read-only,
 * no capabilities, a tmpfs at /tmp), against Fabric8's mock API server on the host's loopback: the
 * same scenario as the operator's jar.
 */
@EnableKubernetesMockClient(crud = true)
@Timeout(240)
class OperatorImageIT {
    static KubernetesClient client;
    private static Path work;

    @BeforeAll
    static void workDirectory() throws Exception {
        work = Files.createTempDirectory(Path.of("/var/tmp"), "vspam-operator-image-");
    }

    @AfterAll
    static void removeWorkDirectory() throws Exception {
        Commands.run(java.util.List.of("rm", "-rf", work.toString()));
    }

    /** The operator image run by runc with the scenario's environment; stopped with SIGTERM. */
    static OperatorScenario.Launcher inRunc(Path work) {
        return environment -> {
            RuncContainer operator = RuncContainer.of(OciImage.operator()).env(environment).start(work);
            return new OperatorScenario.Running() {
                @Override
                public String log() throws Exception {
                    return operator.log();
                }

                @Override
                public boolean stop() throws Exception {
                    operator.signal("TERM");
                    boolean stopped = operator.exitStatus() >= 0;
                    operator.close();
                    return stopped;
                }
            };
        };
    }

    @Test
    void theOperatorImageReconcilesAndInjectsByWebhookOverTls() throws Exception {
        Duration firstReconcile = OperatorScenario.injectsByWebhookOverTlsTheApiServerTrusts(client, inRunc(work));
        System.out.printf("[images] the operator image reconciled its first VspamAgent to Ready %d ms after runc run%n",
                firstReconcile.toMillis());
    }
}
