/*
 * Compile-only copy of the two methods of Carbon's HazelcastCarbonClusterImpl
 * (org.wso2.carbon.core, Carbon 4.2 / 4.4) that a membership scheme calls. Never packed into
 * the JAR. Tests subclass it to record what the scheme forwards.
 */
package org.wso2.carbon.core.clustering.hazelcast;

import com.hazelcast.core.Member;

public class HazelcastCarbonClusterImpl {

    public void memberAdded(Member member) {
    }

    public void memberRemoved(Member member) {
    }
}
