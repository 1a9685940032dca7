package org.wso2.carbon.clustering.mesos.hazelcast4;

import java.io.Closeable;
import java.util.List;
import java.util.Map;

import com.hazelcast.cluster.Member;
import com.hazelcast.config.Config;
import com.hazelcast.core.HazelcastInstance;
import org.apache.axis2.clustering.ClusteringFault;
import org.apache.axis2.clustering.ClusteringMessage;
import org.apache.axis2.description.Parameter;
import org.apache.commons.logging.Log;
import org.wso2.carbon.clustering.mesos.MembershipSchemeCore;
import org.wso2.carbon.clustering.mesos.MembershipWatcher;

/**
 * What the Hazelcast 4 / 5 scheme variants (kernel47, kernel48) share: everything but the
 * Carbon types, which live in a different package on each kernel line. A subclass implements its
 * kernel's {@code HazelcastMembershipScheme}; the methods here satisfy the interface's
 * Hazelcast-typed half, the subclass adds {@code setCarbonCluster} and tells its cluster.
 */
public abstract class Hazelcast4Scheme implements Closeable {

    protected final MembershipSchemeCore core;
    private final Hazelcast4Membership membership;

    protected Hazelcast4Scheme(Map<String, Parameter> parameters, String primaryDomain, Config config,
            HazelcastInstance primaryHazelcastInstance, List<ClusteringMessage> messageBuffer, Log log) {
        this.core = new MembershipSchemeCore(parameters, primaryDomain, config, messageBuffer, log);
        this.membership = new Hazelcast4Membership(core, log, new Hazelcast4Membership.CarbonSide() {
            @Override
            public boolean memberAdded(Member member) {
                return carbonMemberAdded(member);
            }

            @Override
            public boolean memberRemoved(Member member) {
                return carbonMemberRemoved(member);
            }
        });
        if (primaryHazelcastInstance != null) {
            membership.setPrimaryHazelcastInstance(primaryHazelcastInstance);
        }
    }

    /** Tells this kernel's Carbon cluster (and replays its messages); false while it has none yet. */
    protected abstract boolean carbonMemberAdded(Member member);

    /** Tells this kernel's Carbon cluster; false while it has none yet. */
    protected abstract boolean carbonMemberRemoved(Member member);

    /** Discovers the members and seeds Hazelcast's TCP/IP join list ({@link MembershipSchemeCore#init()}). */
    public void init() throws ClusteringFault {
        core.init();
    }

    public void setPrimaryHazelcastInstance(HazelcastInstance primaryHazelcastInstance) {
        membership.setPrimaryHazelcastInstance(primaryHazelcastInstance);
    }

    /** Not needed: the scheme tells members apart by address. */
    public void setLocalMember(Member localMember) {
    }

    /** Registers the listener that tells Carbon about members joining and leaving. */
    public void joinGroup() throws ClusteringFault {
        membership.joinGroup();
    }

    /** Stops following membership; idempotent ({@link MembershipSchemeCore#close()}). */
    @Override
    public void close() {
        core.close();
    }

    /** The live membership watcher, while there is one. */
    public MembershipWatcher getWatcher() {
        return core.getWatcher();
    }
}
