/**
 * The agent application: {@link org.vspam.agent.VspamAgent} (the command line), {@link org.vspam.agent.Agent}
 * (a running agent) and the factory that wires configuration into the decision path.
 */
package org.vspam.agent;
