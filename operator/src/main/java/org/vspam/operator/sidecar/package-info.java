/**
 * The agent as a native sidecar in the user's Postfix workloads: what is added to (and removed from)
 * a pod template, and keeping every selected Deployment and StatefulSet in that state.
 */
package org.vspam.operator.sidecar;
