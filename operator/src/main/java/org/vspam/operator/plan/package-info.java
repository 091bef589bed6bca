/**
 * What a VspamAgent becomes, before any object is built: the plan (agent.yml, the Secret-backed
 * environment, the hash that rolls pods, what stops a rollout), the agent's container in its two
 * shapes (the shared Deployment's and the sidecar's) and the names of the objects. The dependents,
 * the sidecar injector and the reconciler all build from it; it imports none of them.
 */
package org.vspam.operator.plan;
