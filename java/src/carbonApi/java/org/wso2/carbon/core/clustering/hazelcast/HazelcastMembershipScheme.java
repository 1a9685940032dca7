/*
 * Compile-only copy of Carbon's interface (org.wso2.carbon.core, Carbon 4.2 / 4.4), with
 * exactly the signatures the Mesos scheme implements. Never packed into the JAR: inside a
 * Carbon server the real type comes from the org.wso2.carbon.core bundle.
 */
package org.wso2.carbon.core.clustering.hazelcast;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.Member;
import org.apache.axis2.clustering.MembershipScheme;

public interface HazelcastMembershipScheme extends MembershipScheme {

    void setPrimaryHazelcastInstance(HazelcastInstance primaryHazelcastInstance);

    void setLocalMember(Member localMember);

    void setCarbonCluster(HazelcastCarbonClusterImpl hazelcastCarbonCluster);
}
