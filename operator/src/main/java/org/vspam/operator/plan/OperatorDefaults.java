package org.vspam.operator.plan;

import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;

/**
 * What a {@code VspamAgent} gets where its spec says nothing: the agent image and container sizes.
 * The sizes come from measuring the agent (docs/benchmarks.md).
 */
public record OperatorDefaults(String agentImage, ResourceRequirements deploymentResources, ResourceRequirements sidecarResources) {

    public static ResourceRequirements resources(String cpuRequest, String memoryRequest, String memoryLimit) {
        return new ResourceRequirementsBuilder()
                .addToRequests("cpu", new Quantity(cpuRequest))
                .addToRequests("memory", new Quantity(memoryRequest))
                .addToLimits("memory", new Quantity(memoryLimit))
                .build();
    }
}
