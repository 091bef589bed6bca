/**
 * The agent.yml schema: every key named once in {@link org.vspam.config.Setting}, parsed into the
 * immutable {@link org.vspam.config.AgentConfig}. Shared by the agent (reads it) and the operator (writes it).
 */
package org.vspam.config;
