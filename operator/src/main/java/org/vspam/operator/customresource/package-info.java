/**
 * The {@code VspamAgent} custom resource (group {@code vspam.org}, version {@code v1alpha1}): its spec,
 * its status, and the schema rules the generated CRD carries.
 */
package org.vspam.operator.customresource;
