package org.wso2.carbon.clustering.mesos;

import java.util.List;
import java.util.Map;
import java.util.Properties;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.TcpIpConfig;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.Member;
import com.hazelcast.core.MemberAttributeEvent;
import com.hazelcast.core.MembershipEvent;
import com.hazelcast.core.MembershipListener;
import org.apache.axis2.clustering.ClusteringFault;
import org.apache.axis2.clustering.ClusteringMessage;
import org.apache.axis2.description.Parameter;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.wso2.carbon.core.clustering.hazelcast.HazelcastCarbonClusterImpl;
import org.wso2.carbon.core.clustering.hazelcast.HazelcastMembershipScheme;

/**
 * Carbon's Hazelcast membership scheme for Apache Mesos: finds the cluster's members through
 * Marathon or Mesos-DNS (in the native core) and seeds Hazelcast's TCP/IP join with them.
 *
 * <p>Set in axis2.xml: {@code membershipSchemeClassName =
 * org.wso2.carbon.clustering.mesos.MesosMembershipScheme} and the parameters of the core's
 * vocabulary ({@code MESOS_MEMBER_DISCOVERY_SCHEME}, {@code MARATHON_ENDPOINT},
 * {@code MESOS_DNS_ENDPOINT}, {@code MARATHON_APPLICATIONS}, {@code ENABLE_MARATHON_BASIC_AUTH},
 * {@code MARATHON_USERNAME}, {@code MARATHON_PASSWORD}, …). Each is looked up as an
 * environment variable, then a Java system property, then the axis2 parameter.
 *
 * <p>Carbon calls {@link #init()} before it creates the Hazelcast instance, so discovery
 * completes there; then {@code setPrimaryHazelcastInstance}, {@code setCarbonCluster},
 * {@code setLocalMember} and {@link #joinGroup()}.
 */
public class MesosMembershipScheme implements HazelcastMembershipScheme {

    private static final Log log = LogFactory.getLog(MesosMembershipScheme.class);

    private final Map<String, Parameter> parameters;
    private final String primaryDomain;
    private final Config config;
    private final List<ClusteringMessage> messageBuffer;
    private volatile HazelcastInstance primaryHazelcastInstance;
    private volatile HazelcastCarbonClusterImpl carbonCluster;
    private volatile Member localMember;

    public MesosMembershipScheme(Map<String, Parameter> parameters, String primaryDomain, Config config,
            HazelcastInstance primaryHazelcastInstance, List<ClusteringMessage> messageBuffer) {
        this.parameters = parameters;
        this.primaryDomain = primaryDomain;
        this.config = config;
        this.primaryHazelcastInstance = primaryHazelcastInstance;
        this.messageBuffer = messageBuffer;
    }

    @Override
    public void setPrimaryHazelcastInstance(HazelcastInstance primaryHazelcastInstance) {
        this.primaryHazelcastInstance = primaryHazelcastInstance;
    }

    @Override
    public void setLocalMember(Member localMember) {
        this.localMember = localMember;
    }

    @Override
    public void setCarbonCluster(HazelcastCarbonClusterImpl hazelcastCarbonCluster) {
        this.carbonCluster = hazelcastCarbonCluster;
    }

    /**
     * Discovers the members and configures Hazelcast's join: multicast and AWS off, TCP/IP on,
     * one member per discovered {@code host:port}. A discovery failure is a
     * {@link ClusteringFault} carrying the core's message.
     */
    @Override
    public void init() throws ClusteringFault {
        if (config == null) {
            throw new ClusteringFault("Mesos membership scheme: Carbon passed no Hazelcast configuration");
        }
        Map<String, String> settings;
        try {
            settings = CarbonParameters.resolve(parameters, MesosDiscovery.knownKeys(), System.getenv(),
                    systemProperties());
        } catch (LinkageError e) {
            throw new ClusteringFault("Mesos membership scheme cannot load its native library: " + e.getMessage());
        }
        CommonsLogSink sink = new CommonsLogSink(log);
        DiscoveryResult found;
        try {
            MemberDiscoverer discoverer = new MemberDiscoverer(settings, sink);
            try {
                found = discoverer.discover();
            } finally {
                discoverer.close();
            }
        } catch (MesosDiscoveryException e) {
            throw new ClusteringFault(e.getMessage(), e);
        }

        JoinConfig join = config.getNetworkConfig().getJoin();
        join.getMulticastConfig().setEnabled(false);
        join.getAwsConfig().setEnabled(false);
        TcpIpConfig tcpIp = join.getTcpIpConfig();
        tcpIp.setEnabled(true);
        StringBuilder list = new StringBuilder();
        for (MesosMember member : found.getMembers()) {
            tcpIp.addMember(member.hostPort());
            list.append(list.length() == 0 ? "" : ", ").append(member.hostPort());
        }
        if (found.getMembers().isEmpty()) {
            log.warn("Mesos membership scheme found no members" + domainText()
                    + "; this node starts on its own and others join it when they start");
        } else {
            log.info("Mesos membership scheme found " + found.getMembers().size() + " member(s)" + domainText()
                    + ": " + list);
        }
    }

    /** Registers the listener that tells Carbon about members joining and leaving. */
    @Override
    public void joinGroup() throws ClusteringFault {
        HazelcastInstance instance = primaryHazelcastInstance;
        if (instance == null) {
            throw new ClusteringFault("Mesos membership scheme: joinGroup() called before the Hazelcast instance was set");
        }
        instance.getCluster().addMembershipListener(new CarbonMembershipListener());
    }

    /** The Carbon messages buffered for new members (kept for Carbon; not replayed here). */
    List<ClusteringMessage> getMessageBuffer() {
        return messageBuffer;
    }

    Member getLocalMember() {
        return localMember;
    }

    private String domainText() {
        return primaryDomain == null ? "" : " for domain " + primaryDomain;
    }

    private static Properties systemProperties() {
        try {
            return System.getProperties();
        } catch (SecurityException e) {
            return new Properties();
        }
    }

    private final class CarbonMembershipListener implements MembershipListener {

        @Override
        public void memberAdded(MembershipEvent event) {
            Member member = event.getMember();
            log.info("Member joined [" + member.getUuid() + "]: " + member);
            HazelcastCarbonClusterImpl cluster = carbonCluster;
            if (cluster != null) {
                cluster.memberAdded(member);
            }
        }

        @Override
        public void memberRemoved(MembershipEvent event) {
            Member member = event.getMember();
            log.info("Member left [" + member.getUuid() + "]: " + member);
            HazelcastCarbonClusterImpl cluster = carbonCluster;
            if (cluster != null) {
                cluster.memberRemoved(member);
            }
        }

        @Override
        public void memberAttributeChanged(MemberAttributeEvent event) {
            if (log.isDebugEnabled()) {
                log.debug("Member attribute changed: " + event.getKey() + " of " + event.getMember());
            }
        }
    }
}
