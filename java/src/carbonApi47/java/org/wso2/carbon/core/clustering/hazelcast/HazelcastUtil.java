/*
 * Compile-only copy of Carbon's HazelcastUtil.sendMessagesToMember (org.wso2.carbon.core, kernel 4.7.x and 4.9.0–4.9.20: variant B, Hazelcast 4.2 / 5.3), the replay of
 * buffered cluster messages to a member that joined. Never packed into the JAR. Carbon sends
 * each message to the member through the CarbonCluster; as the tests' stand-in, this one hands
 * them to the HazelcastCarbonClusterImpl stub, which records them.
 */
package org.wso2.carbon.core.clustering.hazelcast;

import java.util.ArrayList;
import java.util.List;

import com.hazelcast.cluster.Member;
import org.apache.axis2.clustering.ClusteringMessage;
import org.wso2.carbon.core.clustering.api.CarbonCluster;

public final class HazelcastUtil {

    private HazelcastUtil() {
    }

    public static void sendMessagesToMember(List<ClusteringMessage> messageBuffer, Member member,
            CarbonCluster carbonCluster) {
        if (carbonCluster instanceof HazelcastCarbonClusterImpl) {
            ((HazelcastCarbonClusterImpl) carbonCluster).recordReplay(member,
                    new ArrayList<ClusteringMessage>(messageBuffer));
        }
    }
}
