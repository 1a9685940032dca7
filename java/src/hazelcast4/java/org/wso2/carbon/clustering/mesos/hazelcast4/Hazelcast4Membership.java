package org.wso2.carbon.clustering.mesos.hazelcast4;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.config.TcpIpConfig;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.LifecycleEvent;
import com.hazelcast.core.LifecycleListener;
import org.apache.axis2.clustering.ClusteringFault;
import org.apache.commons.logging.Log;
import org.wso2.carbon.clustering.mesos.MembershipSchemeCore;
import org.wso2.carbon.clustering.mesos.RunningHazelcast;

/**
 * The Hazelcast 4 / 5 half of the scheme variants B and C ({@code kernel47} and
 * {@code kernel48}): members, listeners and the cluster as {@code com.hazelcast.cluster} has
 * them since 4.0 (compiled against 4.2; links on 5.x). The variants differ only in the package
 * of Carbon's interface and cluster, which they wrap as a {@link CarbonSide}.
 */
public final class Hazelcast4Membership {

    /** What a variant forwards to its Carbon cluster. */
    public interface CarbonSide {
        /** Tells Carbon a member joined and replays its buffered messages there; false if Carbon gave no cluster. */
        boolean memberAdded(Member member);

        /** Tells Carbon a member left; false if Carbon gave no cluster. */
        boolean memberRemoved(Member member);
    }

    private final MembershipSchemeCore core;
    private final Log log;
    private final CarbonSide carbon;
    private final Object lock = new Object();
    private volatile HazelcastInstance primaryHazelcastInstance;
    private HazelcastInstance watchedInstance;

    public Hazelcast4Membership(MembershipSchemeCore core, Log log, CarbonSide carbon) {
        this.core = core;
        this.log = log;
        this.carbon = carbon;
    }

    /**
     * Carbon hands over the running instance: from now on members are added to (and taken out
     * of) its live TCP/IP join list, and its shutdown closes the scheme.
     */
    public void setPrimaryHazelcastInstance(HazelcastInstance instance) {
        this.primaryHazelcastInstance = instance;
        watchInstance(instance);
    }

    /** Registers the listener that tells Carbon about members joining and leaving. */
    public void joinGroup() throws ClusteringFault {
        HazelcastInstance instance = primaryHazelcastInstance;
        if (instance == null) {
            throw new ClusteringFault("Mesos membership scheme: joinGroup() called before the Hazelcast instance was set");
        }
        instance.getCluster().addMembershipListener(new CarbonMembershipListener());
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
                core.close();
            }
        } catch (RuntimeException e) {
            // Already shut down (HazelcastInstanceNotActiveException): nothing to follow.
            log.warn("Mesos membership scheme: the Hazelcast instance is not running; live membership stops: " + e);
            core.close();
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
                core.close();
            }
        }
    }

    /** Forwards joins and leaves to Carbon (the variant replays its buffered messages). */
    private final class CarbonMembershipListener implements MembershipListener {
        @Override
        public void memberAdded(MembershipEvent event) {
            Member member = event.getMember();
            log.info("Member joined [" + member.getUuid() + "]: " + member);
            carbon.memberAdded(member);
        }

        @Override
        public void memberRemoved(MembershipEvent event) {
            Member member = event.getMember();
            log.info("Member left [" + member.getUuid() + "]: " + member);
            carbon.memberRemoved(member);
        }
    }
}
