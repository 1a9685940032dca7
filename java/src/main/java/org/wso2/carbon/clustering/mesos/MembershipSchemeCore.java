package org.wso2.carbon.clustering.mesos;

import java.io.Closeable;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.ConcurrentModificationException;
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
import org.apache.axis2.clustering.ClusteringFault;
import org.apache.axis2.clustering.ClusteringMessage;
import org.apache.axis2.description.Parameter;
import org.apache.commons.logging.Log;

/**
 * What every Carbon scheme variant does, on the Hazelcast API that is binary-stable from 3.5 to
 * 5.x only ({@code Config}, {@code NetworkConfig}, {@code JoinConfig}, {@code TcpIpConfig},
 * {@code MulticastConfig}); the variants ({@link MesosMembershipScheme},
 * {@code kernel47.MesosMembershipScheme}, {@code kernel48.MesosMembershipScheme}) are thin
 * adapters that hold what changed between majors (members, listeners, the cluster) and hand
 * the running instance over as a {@link RunningHazelcast}.
 *
 * <p>{@link #init()} discovers the members (Carbon calls it before it creates the instance, so
 * synchronously) and seeds the TCP/IP join list; a {@link MembershipWatcher} started from that
 * discovery then keeps the list current: members that appear are added at once, members that
 * go are taken out only once Hazelcast no longer has them ({@link #hazelcastMemberLeft()}
 * retries at once). Only addresses the scheme added are ever taken out. {@link #close()} stops
 * it all. A live update Hazelcast refuses leaves the list as it was and is logged, never thrown.
 */
public final class MembershipSchemeCore implements Closeable {

    /** How long a member that left Marathon but is still in Hazelcast's cluster waits for a retry. */
    private static final long RETRY_MILLIS = 5000;
    /** Carbon's own schemes wait this long for a new member to finish joining before replaying. */
    static final long REPLAY_DELAY_MILLIS = 5000;
    private static final AtomicInteger SCHEMES = new AtomicInteger();

    private final Map<String, Parameter> parameters;
    private final String primaryDomain;
    private final Config config;
    private final List<ClusteringMessage> messageBuffer;
    private final Log log;
    private volatile RunningHazelcast running;

    /** Guards everything below and every change the scheme makes to the TCP/IP join list. */
    private final Object lock = new Object();
    private MembershipWatcher watcher;
    private ScheduledExecutorService executor;
    private boolean retryScheduled;
    private boolean refusalLogged;
    private boolean replayMissingLogged;
    private boolean closed;
    /** The watcher's members as of its last snapshot (the core decides who they are). */
    private List<MesosMember> wanted = Collections.emptyList();
    /** The addresses the scheme put into the join list ({@code host:port} → member). */
    private final Map<String, MesosMember> managed = new LinkedHashMap<String, MesosMember>();

    /**
     * Carbon's constructor arguments (the Hazelcast instance, always null then, excepted) and the
     * log of the variant Carbon named.
     */
    public MembershipSchemeCore(Map<String, Parameter> parameters, String primaryDomain, Config config,
            List<ClusteringMessage> messageBuffer, Log log) {
        this.parameters = parameters;
        this.primaryDomain = primaryDomain;
        this.config = config;
        this.messageBuffer = messageBuffer;
        this.log = log;
    }

    /**
     * Discovers the members and configures Hazelcast's join: multicast off (Hazelcast 3's
     * default is on), TCP/IP on with one member per discovered {@code host:port}. AWS is left
     * as configured: it is off by default on every major, and its setter is not binary-stable.
     * A discovery failure is a {@link ClusteringFault} carrying the core's message.
     */
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
        MembershipWatcher started;
        MembershipSnapshot found;
        try {
            // One discovery, here and now (Carbon needs the members before it starts Hazelcast);
            // the watcher follows changes from it.
            started = new MembershipWatcher(settings, true, new CommonsLogSink(log));
            try {
                found = started.snapshot();
            } catch (MesosDiscoveryException e) {
                started.close();
                throw e;
            }
        } catch (MesosDiscoveryException e) {
            throw new ClusteringFault(e.getMessage(), e);
        }

        Throwable refused;
        StringBuilder list = new StringBuilder();
        MembershipWatcher previous;
        try {
            JoinConfig join = config.getNetworkConfig().getJoin();
            join.getMulticastConfig().setEnabled(false);
            installLiveTcpIpConfig(join);
            join.getTcpIpConfig().setEnabled(true);
        } catch (RuntimeException e) {
            started.close();
            throw new ClusteringFault("Mesos membership scheme: Hazelcast refused the join configuration: " + e, e);
        }
        synchronized (lock) {
            // init() called again: the new watcher replaces the old one.
            previous = watcher;
            closed = false;
            watcher = started;
            wanted = found.getMembers();
            for (MesosMember member : wanted) {
                list.append(list.length() == 0 ? "" : ", ").append(member.hostPort());
            }
            refused = reconcile(false);
        }
        if (previous != null) {
            previous.close();
        }
        if (refused != null) {
            close();
            throw new ClusteringFault("Mesos membership scheme: Hazelcast refused the members " + list
                    + " in its TCP/IP join list: " + refused, refused instanceof Exception ? (Exception) refused : null);
        }
        if (found.getMembers().isEmpty()) {
            log.warn("Mesos membership scheme found no members" + domainText()
                    + "; this node starts on its own and others join it when they start");
        } else {
            log.info("Mesos membership scheme found " + found.getMembers().size() + " member(s)" + domainText()
                    + ": " + list);
        }
        try {
            started.addListener(new WatcherListener(started));
        } catch (MesosClosedException e) {
            // Closed meanwhile (the instance shut down): nothing left to follow.
        }
    }

    /**
     * A join list that is safe to change while Hazelcast reads it on its own threads. Where
     * Hazelcast does not accept a replacement, its own list is used (changed through its API).
     */
    private void installLiveTcpIpConfig(JoinConfig join) {
        TcpIpConfig current = join.getTcpIpConfig();
        if (current instanceof LiveTcpIpConfig) {
            return;
        }
        try {
            join.setTcpIpConfig(new LiveTcpIpConfig(current));
        } catch (RuntimeException e) {
            log.warn("Mesos membership scheme: Hazelcast keeps its own TCP/IP join list (" + e
                    + "); live changes go through its API");
        } catch (LinkageError e) {
            log.warn("Mesos membership scheme: this Hazelcast has no replaceable TCP/IP join list (" + e
                    + "); live changes go through its API");
        }
    }

    /**
     * Carbon handed over the running instance: from now on members are added to (and taken out
     * of) its live TCP/IP join list.
     */
    public void attach(RunningHazelcast runningHazelcast) {
        this.running = runningHazelcast;
    }

    /** A member left Hazelcast's cluster: an address waiting for that can go now. */
    public void hazelcastMemberLeft() {
        synchronized (lock) {
            if (!closed && executor != null) {
                // Not on Hazelcast's event thread: the retry thread may resolve names.
                retryScheduled = false;
                scheduleRetry(0);
            }
        }
    }

    /**
     * Replays Carbon's buffered cluster messages to a member that joined, as Carbon's own
     * schemes do: after {@link #REPLAY_DELAY_MILLIS} (off Hazelcast's event thread), through
     * Carbon's {@code HazelcastUtil.sendMessagesToMember(List, Member, CarbonCluster)} in the
     * package of {@code carbonClusterType}. Looked up by reflection because its last
     * parameter's type is not the same on every kernel line; when it is missing the replay is
     * skipped with a warning. Never throws into Hazelcast.
     */
    public void replayMessagesTo(final Object member, final Object carbonCluster, final Class<?> carbonClusterType) {
        if (member == null || carbonCluster == null || messageBuffer == null) {
            return;
        }
        synchronized (lock) {
            if (closed) {
                return;
            }
            executor().schedule(new Runnable() {
                @Override
                public void run() {
                    replayNow(member, carbonCluster, carbonClusterType);
                }
            }, REPLAY_DELAY_MILLIS, TimeUnit.MILLISECONDS);
        }
    }

    private void replayNow(Object member, Object carbonCluster, Class<?> carbonClusterType) {
        List<ClusteringMessage> messages = bufferedMessages();
        if (messages.isEmpty()) {
            return;
        }
        Method send = findReplayMethod(carbonClusterType, member, carbonCluster);
        if (send == null) {
            synchronized (lock) {
                if (replayMissingLogged) {
                    return;
                }
                replayMissingLogged = true;
            }
            log.warn("Mesos membership scheme: Carbon's " + packageOf(carbonClusterType)
                    + ".HazelcastUtil.sendMessagesToMember is missing; buffered cluster messages are not replayed to "
                    + member);
            return;
        }
        try {
            send.invoke(null, messages, member, carbonCluster);
            if (log.isDebugEnabled()) {
                log.debug("Mesos membership scheme: replayed " + messages.size() + " cluster message(s) to " + member);
            }
        } catch (InvocationTargetException e) {
            log.warn("Mesos membership scheme: replaying cluster messages to " + member + " failed: " + e.getCause(),
                    e.getCause());
        } catch (IllegalAccessException e) {
            log.warn("Mesos membership scheme: cannot call Carbon's sendMessagesToMember: " + e);
        } catch (RuntimeException e) {
            log.warn("Mesos membership scheme: replaying cluster messages to " + member + " failed: " + e, e);
        }
    }

    /** A copy of Carbon's buffer (Carbon appends to it on its own threads). */
    private List<ClusteringMessage> bufferedMessages() {
        for (int attempt = 0; ; attempt++) {
            try {
                return new ArrayList<ClusteringMessage>(messageBuffer);
            } catch (ConcurrentModificationException e) {
                if (attempt == 10) {
                    throw e;
                }
            }
        }
    }

    static Method findReplayMethod(Class<?> carbonClusterType, Object member, Object carbonCluster) {
        Class<?> util;
        try {
            util = Class.forName(packageOf(carbonClusterType) + ".HazelcastUtil", true,
                    carbonClusterType.getClassLoader());
        } catch (ClassNotFoundException e) {
            return null;
        } catch (LinkageError e) {
            return null;
        }
        for (Method m : util.getMethods()) {
            Class<?>[] types = m.getParameterTypes();
            if (m.getName().equals("sendMessagesToMember") && Modifier.isStatic(m.getModifiers())
                    && types.length == 3 && types[0].isAssignableFrom(ArrayList.class)
                    && types[1].isInstance(member) && types[2].isInstance(carbonCluster)) {
                return m;
            }
        }
        return null;
    }

    private static String packageOf(Class<?> type) {
        String name = type.getName();
        int dot = name.lastIndexOf('.');
        return dot < 0 ? "" : name.substring(0, dot);
    }

    /**
     * Stops following membership (the watcher closes, pending retries and replays are dropped).
     * Idempotent. The join list keeps its last members.
     */
    @Override
    public void close() {
        MembershipWatcher w;
        ScheduledExecutorService r;
        synchronized (lock) {
            closed = true;
            w = watcher;
            r = executor;
            watcher = null;
            executor = null;
            retryScheduled = false;
        }
        if (r != null) {
            r.shutdownNow();
        }
        if (w != null) {
            w.close();
        }
    }

    /** The live membership watcher, while there is one. */
    public MembershipWatcher getWatcher() {
        synchronized (lock) {
            return watcher;
        }
    }

    /** Carbon's buffer of cluster messages for new members. */
    public List<ClusteringMessage> getMessageBuffer() {
        return messageBuffer;
    }

    /** The join list Hazelcast reads now: the running instance's, else the configuration's. */
    private TcpIpConfig liveTcpIpConfig() {
        RunningHazelcast instance = running;
        if (instance != null) {
            try {
                return instance.tcpIpConfig();
            } catch (RuntimeException e) {
                // Not running any more: the configuration's is the same object anyway.
            }
        }
        return config.getNetworkConfig().getJoin().getTcpIpConfig();
    }

    /**
     * Makes the join list follow {@link #wanted}: adds every wanted address it lacks; takes out
     * the addresses the scheme added that are no longer wanted, unless Hazelcast still has a
     * cluster member there (then it retries later). Called with {@link #lock} held. If
     * Hazelcast refuses a change, the list is put back as it was and the refusal returned
     * (and logged, for live changes).
     */
    private Throwable reconcile(boolean fromWatcher) {
        if (closed) {
            return null;
        }
        TcpIpConfig tcpIp;
        List<String> before;
        try {
            tcpIp = liveTcpIpConfig();
            before = new ArrayList<String>(tcpIp.getMembers());
        } catch (RuntimeException e) {
            return refused(e, fromWatcher, null);
        }
        Map<String, MesosMember> managedBefore = new LinkedHashMap<String, MesosMember>(managed);
        try {
            List<String> added = addWanted(tcpIp, before);
            List<String> removed = new ArrayList<String>();
            boolean kept = removeUnwanted(tcpIp, removed);
            refusalLogged = false;
            if (!added.isEmpty() && fromWatcher) {
                log.info("Mesos membership scheme: new member(s)" + domainText()
                        + " added to Hazelcast's TCP/IP join list: " + added);
            }
            if (!removed.isEmpty()) {
                log.info("Mesos membership scheme: member(s)" + domainText()
                        + " gone from Marathon and from the Hazelcast cluster, taken out of the TCP/IP join list: "
                        + removed);
            }
            if (kept) {
                scheduleRetry(RETRY_MILLIS);
            }
            return null;
        } catch (RuntimeException e) {
            managed.clear();
            managed.putAll(managedBefore);
            return refused(e, fromWatcher, restore(tcpIp, before));
        } catch (LinkageError e) {
            managed.clear();
            managed.putAll(managedBefore);
            return refused(e, fromWatcher, restore(tcpIp, before));
        }
    }

    private List<String> addWanted(TcpIpConfig tcpIp, List<String> present) {
        Map<String, MesosMember> addresses = new LinkedHashMap<String, MesosMember>();
        for (MesosMember member : wanted) {
            addresses.put(member.hostPort(), member);
        }
        List<String> added = new ArrayList<String>();
        for (Map.Entry<String, MesosMember> e : addresses.entrySet()) {
            String hostPort = e.getKey();
            if (!present.contains(hostPort)) {
                tcpIp.addMember(hostPort);
                managed.put(hostPort, e.getValue());
                added.add(hostPort);
            } else if (managed.containsKey(hostPort)) {
                managed.put(hostPort, e.getValue());
            }
        }
        return added;
    }

    /** Takes out what may go (into {@code removed}); whether something had to stay for now. */
    private boolean removeUnwanted(TcpIpConfig tcpIp, List<String> removed) {
        Map<String, MesosMember> addresses = new LinkedHashMap<String, MesosMember>();
        for (MesosMember member : wanted) {
            addresses.put(member.hostPort(), member);
        }
        List<String> kept = new ArrayList<String>();
        Collection<InetSocketAddress> clusterMembers = null;
        for (Map.Entry<String, MesosMember> e : new ArrayList<Map.Entry<String, MesosMember>>(managed.entrySet())) {
            String hostPort = e.getKey();
            if (addresses.containsKey(hostPort)) {
                continue;
            }
            if (clusterMembers == null) {
                clusterMembers = clusterMembers();
            }
            if (hazelcastHas(clusterMembers, e.getValue())) {
                kept.add(hostPort);
                continue;
            }
            removeFrom(tcpIp, hostPort);
            managed.remove(hostPort);
            removed.add(hostPort);
        }
        if (!kept.isEmpty() && log.isDebugEnabled()) {
            log.debug("Mesos membership scheme: " + kept + " left Marathon but are still Hazelcast members;"
                    + " kept in the join list for now");
        }
        return !kept.isEmpty();
    }

    /** Puts {@code before} back; null when that worked, else why not. */
    private static Throwable restore(TcpIpConfig tcpIp, List<String> before) {
        try {
            if (!new ArrayList<String>(tcpIp.getMembers()).equals(before)) {
                tcpIp.setMembers(new ArrayList<String>(before));
            }
            return null;
        } catch (RuntimeException e) {
            return e;
        } catch (LinkageError e) {
            return e;
        }
    }

    private Throwable refused(Throwable why, boolean live, Throwable restoreFailure) {
        if (live) {
            if (!refusalLogged) {
                log.warn("Mesos membership scheme: Hazelcast refused the update of its TCP/IP join list" + domainText()
                        + ": " + why + (restoreFailure == null ? "; the list stays as it was"
                                : "; putting the list back failed too: " + restoreFailure)
                        + " (retried every " + RETRY_MILLIS / 1000 + " s)", why);
                refusalLogged = true;
            }
            scheduleRetry(RETRY_MILLIS);
        }
        return why;
    }

    private static void removeFrom(TcpIpConfig tcpIp, String hostPort) {
        if (tcpIp instanceof LiveTcpIpConfig) {
            ((LiveTcpIpConfig) tcpIp).removeMember(hostPort);
            return;
        }
        // Hazelcast's own list: replaced through its API, without the address.
        List<String> rest = new ArrayList<String>(tcpIp.getMembers());
        while (rest.remove(hostPort)) {
            // every occurrence
        }
        tcpIp.setMembers(rest);
    }

    /** Hazelcast's cluster members now; empty when there is no running instance. */
    private Collection<InetSocketAddress> clusterMembers() {
        RunningHazelcast instance = running;
        if (instance == null) {
            return new ArrayList<InetSocketAddress>();
        }
        try {
            return instance.memberAddresses();
        } catch (RuntimeException e) {
            return new ArrayList<InetSocketAddress>();
        }
    }

    /**
     * Whether one of Hazelcast's cluster members is at {@code member}'s address: same port and
     * the same host name, or an IP address the host name resolves to. A name that does not
     * resolve counts as "maybe" when the port matches (kept; retried).
     */
    static boolean hazelcastHas(Collection<InetSocketAddress> clusterMembers, MesosMember member) {
        InetAddress[] resolved = null;
        boolean resolveFailed = false;
        for (InetSocketAddress address : clusterMembers) {
            if (address == null || address.getPort() != member.getPort()) {
                continue;
            }
            if (member.getHost().equalsIgnoreCase(address.getHostString())) {
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
            InetAddress theirs = address.getAddress();
            if (resolveFailed || theirs == null) {
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

    private ScheduledExecutorService executor() {
        if (executor == null) {
            final String name = "mesos-membership-scheme-" + SCHEMES.incrementAndGet();
            ScheduledThreadPoolExecutor created = new ScheduledThreadPoolExecutor(1, new ThreadFactory() {
                @Override
                public Thread newThread(Runnable r) {
                    Thread t = new Thread(r, name);
                    t.setDaemon(true);
                    return t;
                }
            });
            created.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
            executor = created;
        }
        return executor;
    }

    private void scheduleRetry(long delayMillis) {
        if (closed || retryScheduled) {
            return;
        }
        retryScheduled = true;
        executor().schedule(new Runnable() {
            @Override
            public void run() {
                synchronized (lock) {
                    retryScheduled = false;
                    try {
                        reconcile(true);
                    } catch (RuntimeException e) {
                        log.warn("Mesos membership scheme: updating the TCP/IP join list failed: " + e, e);
                    }
                }
            }
        }, delayMillis, TimeUnit.MILLISECONDS);
    }

    /**
     * A watcher's changes, on its listener thread: the join list follows the watcher's snapshot
     * (the core's member set, no I/O), so nothing here folds changes or decides who a member is.
     */
    private final class WatcherListener implements MesosMembershipListener {
        private final MembershipWatcher source;

        WatcherListener(MembershipWatcher source) {
            this.source = source;
        }

        @Override
        public void membersChanged(List<MesosMember> added, List<MesosMember> removed) {
            MembershipSnapshot now;
            try {
                now = source.snapshot();
            } catch (MesosDiscoveryException e) {
                return; // closed: the scheme stopped, or init() replaced this watcher
            }
            synchronized (lock) {
                if (watcher != source) {
                    return;
                }
                wanted = now.getMembers();
                reconcile(true);
            }
        }
    }

    /** {@code " for domain <domain>"}, or nothing. */
    public String domainText() {
        return primaryDomain == null ? "" : " for domain " + primaryDomain;
    }

    private static Properties systemProperties() {
        try {
            return System.getProperties();
        } catch (SecurityException e) {
            return new Properties();
        }
    }
}
