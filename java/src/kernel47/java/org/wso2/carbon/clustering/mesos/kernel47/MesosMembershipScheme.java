package org.wso2.carbon.clustering.mesos.kernel47;

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
import org.apache.commons.logging.LogFactory;
import org.wso2.carbon.clustering.mesos.MembershipSchemeCore;
import org.wso2.carbon.clustering.mesos.MembershipWatcher;
import org.wso2.carbon.clustering.mesos.hazelcast4.Hazelcast4Membership;
import org.wso2.carbon.core.clustering.hazelcast.HazelcastCarbonClusterImpl;
import org.wso2.carbon.core.clustering.hazelcast.HazelcastMembershipScheme;

/**
 * Carbon's Hazelcast membership scheme for Apache Mesos, variant B: kernels 4.7.x, 4.8.0-m1 and 4.9.0–4.9.20 (Hazelcast 4.2 / 5.3), whose interface
 * {@code org.wso2.carbon.core.clustering.hazelcast.HazelcastMembershipScheme} takes a
 * {@code com.hazelcast.cluster.Member}.
 * Kernels 4.8+, 4.9.21+, 4.10–4.12 name
 * {@code org.wso2.carbon.clustering.mesos.kernel48.MesosMembershipScheme}; 4.4.2–4.6.x
 * {@code org.wso2.carbon.clustering.mesos.MesosMembershipScheme}.
 *
 * <p>Same parameters and behaviour as the other variants: {@link MembershipSchemeCore} does
 * the work, {@link Hazelcast4Membership} holds the Hazelcast 4 / 5 types; this class only
 * binds them to this kernel's interface and cluster.
 */
public class MesosMembershipScheme implements HazelcastMembershipScheme, Closeable {

    private static final Log log = LogFactory.getLog(MesosMembershipScheme.class);

    private final MembershipSchemeCore core;
    private final Hazelcast4Membership membership;
    private volatile HazelcastCarbonClusterImpl carbonCluster;

    public MesosMembershipScheme(Map<String, Parameter> parameters, String primaryDomain, Config config,
            HazelcastInstance primaryHazelcastInstance, List<ClusteringMessage> messageBuffer) {
        this.core = new MembershipSchemeCore(parameters, primaryDomain, config, messageBuffer, log);
        this.membership = new Hazelcast4Membership(core, log, new Hazelcast4Membership.CarbonSide() {
            @Override
            public boolean memberAdded(Member member) {
                HazelcastCarbonClusterImpl cluster = carbonCluster;
                if (cluster == null) {
                    return false;
                }
                cluster.memberAdded(member);
                core.replayMessagesTo(member, cluster, HazelcastCarbonClusterImpl.class);
                return true;
            }

            @Override
            public boolean memberRemoved(Member member) {
                HazelcastCarbonClusterImpl cluster = carbonCluster;
                if (cluster == null) {
                    return false;
                }
                cluster.memberRemoved(member);
                return true;
            }
        });
        if (primaryHazelcastInstance != null) {
            membership.setPrimaryHazelcastInstance(primaryHazelcastInstance);
        }
    }

    /** Discovers the members and seeds Hazelcast's TCP/IP join list ({@link MembershipSchemeCore#init()}). */
    @Override
    public void init() throws ClusteringFault {
        core.init();
    }

    @Override
    public void setPrimaryHazelcastInstance(HazelcastInstance primaryHazelcastInstance) {
        membership.setPrimaryHazelcastInstance(primaryHazelcastInstance);
    }

    /** Not needed: the scheme tells members apart by address. */
    @Override
    public void setLocalMember(Member localMember) {
    }

    @Override
    public void setCarbonCluster(HazelcastCarbonClusterImpl hazelcastCarbonCluster) {
        this.carbonCluster = hazelcastCarbonCluster;
    }

    /** Registers the listener that tells Carbon about members joining and leaving. */
    @Override
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
