/*
 * Compile-only copy of Carbon's CarbonCluster type, as far as a membership scheme sees it: the
 * last parameter of HazelcastUtil.sendMessagesToMember (carbon-kernel 4.4.x). Never packed into
 * the JAR; the scheme finds sendMessagesToMember by reflection, so this type's package on later
 * kernel lines does not matter to it.
 */
package org.wso2.carbon.core.clustering.api;

public interface CarbonCluster {
}
