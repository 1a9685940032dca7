package org.wso2.carbon.clustering.mesos.kernel47;

import java.util.List;
import java.util.Map;

import com.hazelcast.cluster.Member;
import com.hazelcast.config.Config;
import com.hazelcast.core.HazelcastInstance;
import org.apache.axis2.clustering.ClusteringMessage;
import org.apache.axis2.description.Parameter;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.wso2.carbon.clustering.mesos.MembershipSchemeCore;
import org.wso2.carbon.clustering.mesos.hazelcast4.Hazelcast4Scheme;
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
 * the work, {@link Hazelcast4Scheme} holds the Hazelcast 4 / 5 half; this class only binds it
 * to this kernel's interface and cluster.
 */
public class MesosMembershipScheme extends Hazelcast4Scheme implements HazelcastMembershipScheme {

    private static final Log log = LogFactory.getLog(MesosMembershipScheme.class);

    private volatile HazelcastCarbonClusterImpl carbonCluster;

    public MesosMembershipScheme(Map<String, Parameter> parameters, String primaryDomain, Config config,
            HazelcastInstance primaryHazelcastInstance, List<ClusteringMessage> messageBuffer) {
        super(parameters, primaryDomain, config, primaryHazelcastInstance, messageBuffer, log);
    }

    @Override
    public void setCarbonCluster(HazelcastCarbonClusterImpl hazelcastCarbonCluster) {
        this.carbonCluster = hazelcastCarbonCluster;
    }

    @Override
    protected boolean carbonMemberAdded(Member member) {
        HazelcastCarbonClusterImpl cluster = carbonCluster;
        if (cluster == null) {
            return false;
        }
        cluster.memberAdded(member);
        core.replayMessagesTo(member, cluster, HazelcastCarbonClusterImpl.class);
        return true;
    }

    @Override
    protected boolean carbonMemberRemoved(Member member) {
        HazelcastCarbonClusterImpl cluster = carbonCluster;
        if (cluster == null) {
            return false;
        }
        cluster.memberRemoved(member);
        return true;
    }
}
