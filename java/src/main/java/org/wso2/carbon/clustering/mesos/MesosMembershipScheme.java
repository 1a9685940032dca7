package org.wso2.carbon.clustering.mesos;

import java.io.Closeable;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

import com.hazelcast.config.Config;
import com.hazelcast.config.TcpIpConfig;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.LifecycleEvent;
import com.hazelcast.core.LifecycleListener;
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
 * Carbon's Hazelcast membership scheme for Apache Mesos, variant A: kernels 4.4.2–4.6.x (and
 * 4.7.0 milestones) with Hazelcast 3.5 / 3.12, whose interface takes a
 * {@code com.hazelcast.core.Member}. Kernels 4.7+ name
 * {@code org.wso2.carbon.clustering.mesos.kernel47.MesosMembershipScheme} or
 * {@code ….kernel48.MesosMembershipScheme} instead (README: which kernel needs which).
 *
 * <p>Set in axis2.xml: {@code membershipSchemeClassName =
 * org.wso2.carbon.clustering.mesos.MesosMembershipScheme} and the parameters of the core's
 * vocabulary ({@code MESOS_MEMBER_DISCOVERY_SCHEME}, {@code MARATHON_ENDPOINT},
 * {@code MESOS_DNS_ENDPOINT}, {@code MARATHON_APPLICATIONS}, {@code ENABLE_MARATHON_BASIC_AUTH},
 * {@code MARATHON_USERNAME}, {@code MARATHON_PASSWORD}, …). Each is looked up as an
 * environment variable, then a Java system property, then the axis2 parameter.
 *
 * <p>What it does is {@link MembershipSchemeCore}'s (discovery in {@link #init()}, the live
 * TCP/IP join list, message replay); this class holds only the Hazelcast 3 types: members,
 * listeners, the cluster. It closes when the Hazelcast instance shuts down, or on
 * {@link #close()}.
 */
public class MesosMembershipScheme implements HazelcastMembershipScheme, Closeable {

    private static final Log log = LogFactory.getLog(MesosMembershipScheme.class);

    private final MembershipSchemeCore core;
    private volatile HazelcastInstance primaryHazelcastInstance;
    private volatile HazelcastCarbonClusterImpl carbonCluster;
    private volatile Member localMember;
    private final Object lock = new Object();
    private HazelcastInstance watchedInstance;

    public MesosMembershipScheme(Map<String, Parameter> parameters, String primaryDomain, Config config,
            HazelcastInstance primaryHazelcastInstance, List<ClusteringMessage> messageBuffer) {
        this.core = new MembershipSchemeCore(parameters, primaryDomain, config, messageBuffer, log);
        this.primaryHazelcastInstance = primaryHazelcastInstance;
    }

    /** Discovers the members and seeds Hazelcast's TCP/IP join list ({@link MembershipSchemeCore#init()}). */
    @Override
    public void init() throws ClusteringFault {
        core.init();
        watchInstance(primaryHazelcastInstance);
    }

    /**
     * Carbon hands over the running instance: from now on members are added to (and taken out
     * of) its live TCP/IP join list, and its shutdown closes the scheme.
     */
    @Override
    public void setPrimaryHazelcastInstance(HazelcastInstance primaryHazelcastInstance) {
        this.primaryHazelcastInstance = primaryHazelcastInstance;
        watchInstance(primaryHazelcastInstance);
    }

    @Override
    public void setLocalMember(Member localMember) {
        this.localMember = localMember;
    }

    @Override
    public void setCarbonCluster(HazelcastCarbonClusterImpl hazelcastCarbonCluster) {
        this.carbonCluster = hazelcastCarbonCluster;
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

    /** Stops following membership; idempotent ({@link MembershipSchemeCore#close()}). */
    @Override
    public void close() {
        core.close();
    }

    /** The live membership watcher, while there is one. */
    public MembershipWatcher getWatcher() {
        return core.getWatcher();
    }

    Member getLocalMember() {
        return localMember;
    }

    /** Registers, once per instance, what follows its members and its shutdown. */
    private void watchInstance(final HazelcastInstance instance) {
        if (instance == null) {
            return;
        }
        synchronized (lock) {
            if (instance == watchedInstance) {
                return;
            }
            watchedInstance = instance;
        }
        core.attach(new RunningHazelcast() {
            @Override
            public TcpIpConfig tcpIpConfig() {
                return instance.getConfig().getNetworkConfig().getJoin().getTcpIpConfig();
            }

            // Deprecated in 3.12 but the one socket-address getter that 3.5 has too.
            @SuppressWarnings("deprecation")
            @Override
            public Collection<InetSocketAddress> memberAddresses() {
                List<InetSocketAddress> addresses = new ArrayList<InetSocketAddress>();
                for (Member m : instance.getCluster().getMembers()) {
                    addresses.add(m.getSocketAddress());
                }
                return addresses;
            }
        });
        try {
            instance.getLifecycleService().addLifecycleListener(new ShutdownListener(instance));
            instance.getCluster().addMembershipListener(new DepartureListener());
            if (!instance.getLifecycleService().isRunning()) {
                close();
            }
        } catch (RuntimeException e) {
            // Already shut down (HazelcastInstanceNotActiveException): nothing to follow.
            log.warn("Mesos membership scheme: the Hazelcast instance is not running; live membership stops: " + e);
            close();
        }
    }

    /** A member left Hazelcast's cluster: an address waiting for that can go now. */
    private final class DepartureListener implements MembershipListener {
        @Override
        public void memberAdded(MembershipEvent event) {
        }

        @Override
        public void memberRemoved(MembershipEvent event) {
            core.hazelcastMemberLeft();
        }

        @Override
        public void memberAttributeChanged(MemberAttributeEvent event) {
        }
    }

    /** Closes the scheme when the instance shuts down. */
    private final class ShutdownListener implements LifecycleListener {
        private final HazelcastInstance instance;

        ShutdownListener(HazelcastInstance instance) {
            this.instance = instance;
        }

        @Override
        public void stateChanged(LifecycleEvent event) {
            LifecycleEvent.LifecycleState state = event.getState();
            if ((state == LifecycleEvent.LifecycleState.SHUTTING_DOWN
                    || state == LifecycleEvent.LifecycleState.SHUTDOWN) && instance == primaryHazelcastInstance) {
                close();
            }
        }
    }

    /** Forwards joins and leaves to Carbon and replays its buffered messages to who joins. */
    private final class CarbonMembershipListener implements MembershipListener {

        @Override
        public void memberAdded(MembershipEvent event) {
            Member member = event.getMember();
            log.info("Member joined [" + member.getUuid() + "]: " + member);
            HazelcastCarbonClusterImpl cluster = carbonCluster;
            if (cluster != null) {
                cluster.memberAdded(member);
                core.replayMessagesTo(member, cluster, HazelcastCarbonClusterImpl.class);
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
