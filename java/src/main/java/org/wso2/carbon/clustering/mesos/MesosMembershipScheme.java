package org.wso2.carbon.clustering.mesos;

import java.io.Closeable;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.TcpIpConfig;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.LifecycleEvent;
import com.hazelcast.core.LifecycleListener;
import com.hazelcast.core.Member;
import com.hazelcast.core.MemberAttributeEvent;
import com.hazelcast.core.MembershipEvent;
import com.hazelcast.core.MembershipListener;
import com.hazelcast.nio.Address;
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
 *
 * <p>Live membership: {@code init()} also starts a {@link MembershipWatcher} from the discovery
 * it made (no second discovery). Members that appear later are added to the running instance's
 * TCP/IP join list at once; members that go are taken out only once Hazelcast itself no longer
 * has them as cluster members (retried until then), so a node that is still up but lost to
 * Marathon, or a split-off part of the cluster, can still be found and merged. Only addresses
 * the scheme added are ever taken out. The watcher closes when the Hazelcast instance shuts
 * down, or on {@link #close()}.
 */
public class MesosMembershipScheme implements HazelcastMembershipScheme, Closeable {

    private static final Log log = LogFactory.getLog(MesosMembershipScheme.class);
    /** How long a member that left Marathon but is still in Hazelcast's cluster waits for a retry. */
    private static final long RETRY_MILLIS = 5000;
    private static final AtomicInteger SCHEMES = new AtomicInteger();

    private final Map<String, Parameter> parameters;
    private final String primaryDomain;
    private final Config config;
    private final List<ClusteringMessage> messageBuffer;
    private volatile HazelcastInstance primaryHazelcastInstance;
    private volatile HazelcastCarbonClusterImpl carbonCluster;
    private volatile Member localMember;

    /** Guards everything below and every change the scheme makes to the TCP/IP join list. */
    private final Object lock = new Object();
    private MembershipWatcher watcher;
    private ScheduledExecutorService retries;
    private boolean retryScheduled;
    private boolean closed;
    /** The watcher's members as of the last listener call, by identity. */
    private final Map<String, MesosMember> wanted = new LinkedHashMap<String, MesosMember>();
    /** The addresses the scheme put into the join list ({@code host:port} → member). */
    private final Map<String, MesosMember> managed = new LinkedHashMap<String, MesosMember>();
    private HazelcastInstance watchedInstance;

    public MesosMembershipScheme(Map<String, Parameter> parameters, String primaryDomain, Config config,
            HazelcastInstance primaryHazelcastInstance, List<ClusteringMessage> messageBuffer) {
        this.parameters = parameters;
        this.primaryDomain = primaryDomain;
        this.config = config;
        this.primaryHazelcastInstance = primaryHazelcastInstance;
        this.messageBuffer = messageBuffer;
    }

    /**
     * Carbon hands over the running instance: from now on members are added to (and taken out
     * of) its live TCP/IP join list, and its shutdown closes the watcher.
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
        MembershipWatcher started;
        MembershipSnapshot found;
        try {
            // One discovery, here and now (Carbon needs the members before it starts Hazelcast);
            // the watcher follows changes from it.
            started = new MembershipWatcher(settings, true, sink);
            try {
                found = started.snapshot();
            } catch (MesosDiscoveryException e) {
                started.close();
                throw e;
            }
        } catch (MesosDiscoveryException e) {
            throw new ClusteringFault(e.getMessage(), e);
        }

        JoinConfig join = config.getNetworkConfig().getJoin();
        join.getMulticastConfig().setEnabled(false);
        join.getAwsConfig().setEnabled(false);
        // A join list that is safe to change while Hazelcast reads it on its own threads.
        LiveTcpIpConfig tcpIp = join.getTcpIpConfig() instanceof LiveTcpIpConfig
                ? (LiveTcpIpConfig) join.getTcpIpConfig() : new LiveTcpIpConfig(join.getTcpIpConfig());
        join.setTcpIpConfig(tcpIp);
        tcpIp.setEnabled(true);
        StringBuilder list = new StringBuilder();
        MembershipWatcher previous;
        synchronized (lock) {
            // init() called again: the new watcher replaces the old one.
            previous = watcher;
            closed = false;
            watcher = started;
            wanted.clear();
            for (MesosMember member : found.getMembers()) {
                wanted.put(MembershipWatcher.identity(member), member);
                list.append(list.length() == 0 ? "" : ", ").append(member.hostPort());
            }
            reconcile(false);
        }
        if (previous != null) {
            previous.close();
        }
        if (found.getMembers().isEmpty()) {
            log.warn("Mesos membership scheme found no members" + domainText()
                    + "; this node starts on its own and others join it when they start");
        } else {
            log.info("Mesos membership scheme found " + found.getMembers().size() + " member(s)" + domainText()
                    + ": " + list);
        }
        try {
            started.addListener(new WatcherListener());
        } catch (MesosClosedException e) {
            // Closed meanwhile (the instance shut down): nothing left to follow.
        }
    }

    /**
     * Stops following membership (the watcher closes, pending retries are dropped). Idempotent;
     * called by the scheme itself when the Hazelcast instance shuts down. The join list keeps
     * its last members.
     */
    @Override
    public void close() {
        MembershipWatcher w;
        ScheduledExecutorService r;
        synchronized (lock) {
            closed = true;
            w = watcher;
            r = retries;
            watcher = null;
            retries = null;
            retryScheduled = false;
        }
        if (r != null) {
            r.shutdownNow();
        }
        if (w != null) {
            w.close();
        }
    }

    /** The live membership watcher, while there is one (for tests). */
    MembershipWatcher getWatcher() {
        synchronized (lock) {
            return watcher;
        }
    }

    /** The join list Hazelcast reads now: the running instance's, else the configuration's. */
    private TcpIpConfig liveTcpIpConfig() {
        HazelcastInstance instance = primaryHazelcastInstance;
        if (instance != null) {
            try {
                return instance.getConfig().getNetworkConfig().getJoin().getTcpIpConfig();
            } catch (RuntimeException e) {
                // Not running any more: the configuration's is the same object anyway.
            }
        }
        return config.getNetworkConfig().getJoin().getTcpIpConfig();
    }

    /**
     * Makes the join list follow {@link #wanted}: adds every wanted address it lacks; takes out
     * the addresses the scheme added that are no longer wanted, unless Hazelcast still has a
     * cluster member there (then it retries later). Called with {@link #lock} held.
     */
    private void reconcile(boolean fromWatcher) {
        if (closed) {
            return;
        }
        TcpIpConfig tcpIp = liveTcpIpConfig();
        Map<String, MesosMember> addresses = new LinkedHashMap<String, MesosMember>();
        for (MesosMember member : wanted.values()) {
            addresses.put(member.hostPort(), member);
        }
        List<String> added = new ArrayList<String>();
        for (Map.Entry<String, MesosMember> e : addresses.entrySet()) {
            String hostPort = e.getKey();
            if (!tcpIp.getMembers().contains(hostPort)) {
                tcpIp.addMember(hostPort);
                managed.put(hostPort, e.getValue());
                added.add(hostPort);
            } else if (managed.containsKey(hostPort)) {
                managed.put(hostPort, e.getValue());
            }
        }
        List<String> removed = new ArrayList<String>();
        List<String> kept = new ArrayList<String>();
        Collection<Member> clusterMembers = clusterMembers();
        for (Map.Entry<String, MesosMember> e : new ArrayList<Map.Entry<String, MesosMember>>(managed.entrySet())) {
            String hostPort = e.getKey();
            if (addresses.containsKey(hostPort)) {
                continue;
            }
            if (hazelcastHas(clusterMembers, e.getValue())) {
                kept.add(hostPort);
                continue;
            }
            removeFrom(tcpIp, hostPort);
            managed.remove(hostPort);
            removed.add(hostPort);
        }
        if (!added.isEmpty() && fromWatcher) {
            log.info("Mesos membership scheme: new member(s)" + domainText() + " added to Hazelcast's TCP/IP join list: "
                    + added);
        }
        if (!removed.isEmpty()) {
            log.info("Mesos membership scheme: member(s)" + domainText()
                    + " gone from Marathon and from the Hazelcast cluster, taken out of the TCP/IP join list: "
                    + removed);
        }
        if (!kept.isEmpty()) {
            if (log.isDebugEnabled()) {
                log.debug("Mesos membership scheme: " + kept + " left Marathon but are still Hazelcast members;"
                        + " kept in the join list for now");
            }
            scheduleRetry(RETRY_MILLIS);
        }
    }

    private static void removeFrom(TcpIpConfig tcpIp, String hostPort) {
        if (tcpIp instanceof LiveTcpIpConfig) {
            ((LiveTcpIpConfig) tcpIp).removeMember(hostPort);
        } else {
            // Someone replaced our join list: Hazelcast's own, changed as safely as it allows.
            synchronized (tcpIp) {
                List<String> members = tcpIp.getMembers();
                while (members.remove(hostPort)) {
                    // every occurrence
                }
            }
        }
    }

    /** Hazelcast's cluster members now; empty when there is no running instance. */
    private Collection<Member> clusterMembers() {
        HazelcastInstance instance = primaryHazelcastInstance;
        if (instance == null) {
            return new ArrayList<Member>();
        }
        try {
            return instance.getCluster().getMembers();
        } catch (RuntimeException e) {
            return new ArrayList<Member>();
        }
    }

    /**
     * Whether one of Hazelcast's cluster members is at {@code member}'s address: same port and
     * the same host name, or an IP address the host name resolves to. A name that does not
     * resolve counts as "maybe" when the port matches (kept; retried).
     */
    static boolean hazelcastHas(Collection<Member> clusterMembers, MesosMember member) {
        InetAddress[] resolved = null;
        boolean resolveFailed = false;
        for (Member m : clusterMembers) {
            Address address = m.getAddress();
            if (address == null || address.getPort() != member.getPort()) {
                continue;
            }
            if (member.getHost().equalsIgnoreCase(address.getHost())) {
                return true;
            }
            if (resolved == null && !resolveFailed) {
                try {
                    resolved = InetAddress.getAllByName(member.getHost());
                } catch (UnknownHostException e) {
                    resolveFailed = true;
                } catch (SecurityException e) {
                    resolveFailed = true;
                }
            }
            if (resolveFailed) {
                return true;
            }
            InetAddress theirs;
            try {
                theirs = address.getInetAddress();
            } catch (UnknownHostException e) {
                return true;
            }
            for (InetAddress ours : resolved) {
                if (ours.equals(theirs)) {
                    return true;
                }
            }
        }
        return false;
    }

    private void scheduleRetry(long delayMillis) {
        if (closed || retryScheduled) {
            return;
        }
        if (retries == null) {
            final String name = "mesos-membership-scheme-" + SCHEMES.incrementAndGet();
            ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, new ThreadFactory() {
                @Override
                public Thread newThread(Runnable r) {
                    Thread t = new Thread(r, name);
                    t.setDaemon(true);
                    return t;
                }
            });
            executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
            retries = executor;
        }
        retryScheduled = true;
        retries.schedule(new Runnable() {
            @Override
            public void run() {
                synchronized (lock) {
                    retryScheduled = false;
                    try {
                        reconcile(false);
                    } catch (RuntimeException e) {
                        log.warn("Mesos membership scheme: updating the TCP/IP join list failed: " + e, e);
                    }
                }
            }
        }, delayMillis, TimeUnit.MILLISECONDS);
    }

    /** Registers, once per instance, what follows its members and its shutdown. */
    private void watchInstance(HazelcastInstance instance) {
        if (instance == null) {
            return;
        }
        synchronized (lock) {
            if (instance == watchedInstance) {
                return;
            }
            watchedInstance = instance;
        }
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

    /** The watcher's changes, on its listener thread. */
    private final class WatcherListener implements MesosMembershipListener {
        @Override
        public void membersChanged(List<MesosMember> added, List<MesosMember> removed) {
            synchronized (lock) {
                for (MesosMember m : removed) {
                    wanted.remove(MembershipWatcher.identity(m));
                }
                for (MesosMember m : added) {
                    wanted.put(MembershipWatcher.identity(m), m);
                }
                reconcile(true);
            }
        }
    }

    /** A member left Hazelcast's cluster: an address waiting for that can go now. */
    private final class DepartureListener implements MembershipListener {
        @Override
        public void memberAdded(MembershipEvent event) {
        }

        @Override
        public void memberRemoved(MembershipEvent event) {
            synchronized (lock) {
                if (!closed && retries != null) {
                    // Not on Hazelcast's event thread: the retry thread may resolve names.
                    retryScheduled = false;
                    scheduleRetry(0);
                }
            }
        }

        @Override
        public void memberAttributeChanged(MemberAttributeEvent event) {
        }
    }

    /** Closes the watcher when the instance shuts down. */
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
