/**
 * Sidecar injection at pod creation ({@code spec.sidecars.injection: webhook}): the mutating
 * admission webhook, its HTTPS certificate from the operator's own CA, and the {@code caBundle} it
 * keeps in the MutatingWebhookConfiguration.
 */
package org.vspam.operator.webhook;
