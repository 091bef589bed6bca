/**
 * The reconciler of {@code VspamAgent}: asks for the plan (agent.yml, secrets, digest), runs the
 * dependents' workflow, keeps the Postfix sidecars in place, and writes one honest status.
 */
package org.vspam.operator.reconciler;
