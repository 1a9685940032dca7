/*
 * Compile-only copy of Carbon's interface (org.wso2.carbon.core, kernel 4.7.x and 4.9.0–4.9.20: variant B, Hazelcast 4.2 / 5.3), with exactly the signatures a membership
 * scheme implements. Never packed into the JAR: inside a Carbon server the real type comes
 * from Carbon's bundle.
 */
package org.wso2.carbon.core.clustering.hazelcast;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.cluster.Member;
import org.apache.axis2.clustering.MembershipScheme;

public interface HazelcastMembershipScheme extends MembershipScheme {

    void setPrimaryHazelcastInstance(HazelcastInstance primaryHazelcastInstance);

    void setLocalMember(Member localMember);

    void setCarbonCluster(HazelcastCarbonClusterImpl hazelcastCarbonCluster);
}
