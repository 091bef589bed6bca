/**
 * One class per Kubernetes kind the operator owns (ConfigMap, Deployment, Service,
 * PodDisruptionBudget, ServiceMonitor), each only saying what it should look like, plus the agent
 * container they and the Postfix sidecars share.
 */
package org.vspam.operator.dependentresource;
