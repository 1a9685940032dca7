package org.wso2.carbon.clustering.mesos;

import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import org.wso2.carbon.clustering.mesos.internal.JulLogSink;
import org.wso2.carbon.clustering.mesos.internal.LogSink;
import org.wso2.carbon.clustering.mesos.internal.Native;
import org.wso2.carbon.clustering.mesos.internal.NativeLog;

/**
 * The public Java API of mesos-discovery for any JVM program: cluster members from Marathon
 * or Mesos-DNS, and the leading Mesos master from ZooKeeper. All the work happens in the
 * native core bundled in this JAR; every failure is a {@link MesosDiscoveryException}
 * subclass, one per core error kind. Log records go to java.util.logging
 * ({@code org.wso2.carbon.clustering.mesos}).
 *
 * <pre>
 * Map&lt;String, String&gt; config = new HashMap&lt;String, String&gt;();
 * config.put("MARATHON_ENDPOINT", "http://marathon.mesos:8080");
 * config.put("MARATHON_APPLICATIONS", "/wso2/manager,/wso2/worker");
 * for (MesosMember m : MesosDiscovery.members(config)) { ... m.hostPort() ... }
 *
 * MesosMaster leader = MesosDiscovery.leader("zk://zk1:2181,zk2:2181/mesos", 10000);
 *
 * MembershipWatcher live = MesosDiscovery.watchMembers(config, listener);  // until live.close()
 * </pre>
 */
public final class MesosDiscovery {

    private MesosDiscovery() {
    }

    private static LogSink sink() {
        return new JulLogSink(MemberDiscoverer.LOGGER);
    }

    /** The native core's version. */
    public static String nativeVersion() {
        Native.ensureLoaded();
        return Native.version();
    }

    /** Every configuration key the core knows, in documentation order. */
    public static List<String> knownKeys() {
        Native.ensureLoaded();
        return Collections.unmodifiableList(Arrays.asList(Native.knownKeys()));
    }

    /** One discovery: members and warnings. Use a {@link MemberDiscoverer} to ask repeatedly. */
    public static DiscoveryResult discover(Map<String, String> config) throws MesosDiscoveryException {
        MemberDiscoverer discoverer = new MemberDiscoverer(config, sink());
        try {
            return discoverer.discover();
        } finally {
            discoverer.close();
        }
    }

    /** One discovery's members (warnings are logged). */
    public static List<MesosMember> members(Map<String, String> config) throws MesosDiscoveryException {
        return discover(config).getMembers();
    }

    /**
     * The leading master under the ZooKeeper URL
     * ({@code zk://[user:password@]host:port[,host:port…]/path}), or {@code null} when no master
     * is registered. {@code timeoutMillis} bounds opening the ZooKeeper session (0: 10 s).
     */
    public static MesosMaster leader(String zkUrl, long timeoutMillis) throws MesosDiscoveryException {
        requireUrl(zkUrl);
        LogSink sink = sink();
        NativeLog.configure(sink);
        try {
            return Native.zkLeader(zkUrl, 0, timeoutMillis);
        } finally {
            NativeLog.drainTo(sink);
        }
    }

    /** Every registered master, leader first, then by sequence. */
    public static List<MesosMaster> masters(String zkUrl, long timeoutMillis) throws MesosDiscoveryException {
        requireUrl(zkUrl);
        LogSink sink = sink();
        NativeLog.configure(sink);
        try {
            return Collections.unmodifiableList(Arrays.asList(Native.zkMasters(zkUrl, 0, timeoutMillis)));
        } finally {
            NativeLog.drainTo(sink);
        }
    }

    /**
     * Starts following the leader. {@code sessionTimeoutMillis} is the ZooKeeper session
     * timeout (0: 10 s): a watcher disconnected that long stops reporting its cached leader.
     * {@code listener} may be {@code null} (then use {@link LeaderWatcher#waitForChange}).
     */
    public static LeaderWatcher watchLeader(String zkUrl, long sessionTimeoutMillis, LeaderListener listener)
            throws MesosDiscoveryException {
        requireUrl(zkUrl);
        LeaderWatcher watcher = new LeaderWatcher(zkUrl, sessionTimeoutMillis, 0, sink());
        if (listener != null) {
            watcher.addListener(listener);
        }
        return watcher;
    }

    /**
     * Starts following the members of {@code config} live (see {@link MembershipWatcher}); returns
     * at once. {@code listener} may be {@code null} (then use {@link MembershipWatcher#awaitChange}).
     */
    public static MembershipWatcher watchMembers(Map<String, String> config, MesosMembershipListener listener)
            throws MesosDiscoveryException {
        MembershipWatcher watcher = new MembershipWatcher(config, false, sink());
        if (listener != null) {
            watcher.addListener(listener);
        }
        return watcher;
    }

    private static void requireUrl(String zkUrl) throws MesosInvalidArgumentException {
        if (zkUrl == null) {
            throw new MesosInvalidArgumentException("the ZooKeeper URL must not be null");
        }
        Native.ensureLoaded();
    }
}
