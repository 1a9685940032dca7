/*
 * Compile-only copy of the two methods of Carbon's HazelcastCarbonClusterImpl (org.wso2.carbon.core, kernel 4.4.2–4.6.x: variant A, Hazelcast 3) that a
 * membership scheme calls. Never packed into the JAR. Tests run against it as Carbon's
 * stand-in: it records the members it is told about, and what HazelcastUtil replayed to whom.
 */
package org.wso2.carbon.core.clustering.hazelcast;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import com.hazelcast.core.Member;
import org.apache.axis2.clustering.ClusteringMessage;
import org.wso2.carbon.core.clustering.api.CarbonCluster;

public class HazelcastCarbonClusterImpl implements CarbonCluster {

    private final List<InetSocketAddress> joined = new CopyOnWriteArrayList<InetSocketAddress>();
    private final List<InetSocketAddress> left = new CopyOnWriteArrayList<InetSocketAddress>();
    private final List<Object[]> replayed = new CopyOnWriteArrayList<Object[]>();

    public void memberAdded(Member member) {
        joined.add(member.getSocketAddress());
    }

    public void memberRemoved(Member member) {
        left.add(member.getSocketAddress());
    }

    /** Stand-in only: the members memberAdded was called with, by address. */
    public List<InetSocketAddress> joinedMembers() {
        return joined;
    }

    /** Stand-in only: the members memberRemoved was called with, by address. */
    public List<InetSocketAddress> leftMembers() {
        return left;
    }

    /** Stand-in only: {address, messages} for every HazelcastUtil.sendMessagesToMember call. */
    public List<Object[]> replays() {
        return replayed;
    }

    void recordReplay(Member member, List<ClusteringMessage> messages) {
        replayed.add(new Object[] {member.getSocketAddress(), messages});
    }
}
