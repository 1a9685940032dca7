/*
 * Compile-only copy of Carbon's interface (bundle org.wso2.carbon.hazelcast, kernel 4.8+, 4.9.21+, 4.10–4.12: variant C, Hazelcast 4.2 / 5.3), with exactly the signatures a membership
 * scheme implements. Never packed into the JAR: inside a Carbon server the real type comes
 * from Carbon's bundle.
 */
package org.wso2.carbon.hazelcast;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.cluster.Member;
import org.apache.axis2.clustering.MembershipScheme;

public interface HazelcastMembershipScheme extends MembershipScheme {

    void setPrimaryHazelcastInstance(HazelcastInstance primaryHazelcastInstance);

    void setLocalMember(Member localMember);

    void setCarbonCluster(HazelcastCarbonClusterImpl hazelcastCarbonCluster);
}
