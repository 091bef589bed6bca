package org.vspam.operator.customresource;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/** One vspam agent installation in a namespace: a shared Deployment, sidecars beside Postfix, or both. */
@Group(VspamAgent.GROUP)
@Version(VspamAgent.VERSION)
@Kind("VspamAgent")
@Plural("vspamagents")
@ShortNames("vsa")
@AdditionalPrinterColumn(name = "Ready", type = AdditionalPrinterColumn.Type.STRING,
        jsonPath = ".status.conditions[?(@.type==\"Ready\")].status")
@AdditionalPrinterColumn(name = "Reason", type = AdditionalPrinterColumn.Type.STRING,
        jsonPath = ".status.conditions[?(@.type==\"Ready\")].reason")
@AdditionalPrinterColumn(name = "Replicas", type = AdditionalPrinterColumn.Type.INTEGER, jsonPath = ".status.readyReplicas")
@AdditionalPrinterColumn(name = "Protected", type = AdditionalPrinterColumn.Type.INTEGER, jsonPath = ".status.protectedCount",
        getDescription = "Postfix workloads that carry the agent sidecar")
@AdditionalPrinterColumn(name = "Age", type = AdditionalPrinterColumn.Type.DATE, jsonPath = ".metadata.creationTimestamp")
public class VspamAgent extends CustomResource<VspamAgentSpec, VspamAgentStatus> implements Namespaced {
    public static final String GROUP = "vspam.org";
    public static final String VERSION = "v1alpha1";

    @Override
    protected VspamAgentSpec initSpec() {
        return new VspamAgentSpec();
    }
}
