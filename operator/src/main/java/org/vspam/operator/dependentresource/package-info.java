/**
 * One class per Kubernetes kind the operator owns (ConfigMap, Deployment, Service,
 * PodDisruptionBudget, ServiceMonitor), each only saying what it should look like from the plan.
 */
package org.vspam.operator.dependentresource;
