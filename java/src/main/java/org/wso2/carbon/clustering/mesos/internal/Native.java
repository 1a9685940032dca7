package org.wso2.carbon.clustering.mesos.internal;

import org.wso2.carbon.clustering.mesos.DiscoveryResult;
import org.wso2.carbon.clustering.mesos.LeaderState;
import org.wso2.carbon.clustering.mesos.MembershipChange;
import org.wso2.carbon.clustering.mesos.MembershipSnapshot;
import org.wso2.carbon.clustering.mesos.MesosDiscoveryException;
import org.wso2.carbon.clustering.mesos.MesosMaster;

/**
 * Every native method of the library (rust/jni), and nothing else. Not API: use
 * {@code MesosDiscovery}, {@code MemberDiscoverer}, {@code LeaderWatcher},
 * {@code MembershipWatcher} or the scheme.
 *
 * <p>Native objects are ids (positive {@code long}s) into registries on the native side; an
 * unknown or closed id throws {@code MesosClosedException}, it never crashes. Timeouts are in
 * milliseconds, zero or less meaning the core's default.
 */
public final class Native {

    private static final Throwable LOAD_FAILURE;

    static {
        Throwable failure = null;
        try {
            NativeLoader.load();
        } catch (Throwable t) {
            failure = t;
        }
        LOAD_FAILURE = failure;
    }

    private Native() {
    }

    /**
     * Makes sure the library is loaded; throws an {@link UnsatisfiedLinkError} naming the
     * platform and where it looked if it could not be.
     */
    public static void ensureLoaded() {
        if (LOAD_FAILURE != null) {
            UnsatisfiedLinkError e = new UnsatisfiedLinkError(LOAD_FAILURE.getMessage());
            e.initCause(LOAD_FAILURE);
            throw e;
        }
    }

    public static native String version();

    /** The configuration vocabulary, in documentation order. */
    public static native String[] knownKeys();

    /** Level of the core's own log records: 0 off, 1 error, 2 warn, 3 info, 4 debug, 5 trace. */
    public static native void setLogLevel(int level);

    /** Takes the queued log records as triples: level, target, message. */
    public static native String[] drainLog();

    /** Validates the configuration and builds a discoverer (no I/O). */
    public static native long discovererOpen(String[] keys, String[] values)
            throws MesosDiscoveryException;

    public static native DiscoveryResult discovererDiscover(long id) throws MesosDiscoveryException;

    /** Idempotent. */
    public static native void discovererClose(long id);

    /** The leading master, or {@code null} when none is registered. */
    public static native MesosMaster zkLeader(String url, long sessionTimeoutMillis,
            long connectTimeoutMillis) throws MesosDiscoveryException;

    public static native MesosMaster[] zkMasters(String url, long sessionTimeoutMillis,
            long connectTimeoutMillis) throws MesosDiscoveryException;

    public static native long watcherOpen(String url, long sessionTimeoutMillis,
            long connectTimeoutMillis) throws MesosDiscoveryException;

    public static native LeaderState watcherCurrent(long id) throws MesosDiscoveryException;

    /**
     * Waits until the generation differs from {@code generation}: the new state, or
     * {@code null} after {@code timeoutMillis} (at most 60 s per call).
     */
    public static native LeaderState watcherWaitForChange(long id, long generation,
            long timeoutMillis) throws MesosDiscoveryException;

    /** Idempotent. */
    public static native void watcherClose(long id);

    /**
     * Validates the configuration and starts a membership watcher. With {@code discoverFirst},
     * one full discovery runs first (blocking; its failure is thrown) and the watcher starts
     * from it; otherwise it returns at once.
     */
    public static native long memberWatcherOpen(String[] keys, String[] values, boolean discoverFirst)
            throws MesosDiscoveryException;

    /**
     * {@link #memberWatcherOpen} for Carbon: the axis2 parameters ({@code keys}/{@code values}),
     * the system properties and the environment as three layers, merged by the core
     * (environment &gt; system property &gt; parameter; blank counts as unset).
     */
    public static native long memberWatcherOpenLayered(String[] keys, String[] values, String[] propertyKeys,
            String[] propertyValues, String[] envKeys, String[] envValues, boolean discoverFirst)
            throws MesosDiscoveryException;

    public static native MembershipSnapshot memberWatcherSnapshot(long id) throws MesosDiscoveryException;

    /**
     * Waits for the first change after generation {@code after}: the change, or {@code null}
     * after {@code timeoutMillis} (at most 60 s per call). Closing the watcher wakes it at once
     * with {@code MesosClosedException}.
     */
    public static native MembershipChange memberWatcherNextChange(long id, long after, long timeoutMillis)
            throws MesosDiscoveryException;

    /**
     * Waits until the member set's generation differs from {@code generation}: the new
     * snapshot, or {@code null} after {@code timeoutMillis} (at most 60 s per call).
     */
    public static native MembershipSnapshot memberWatcherWaitForChange(long id, long generation,
            long timeoutMillis) throws MesosDiscoveryException;

    /** Idempotent. */
    public static native void memberWatcherClose(long id);

    /** Open discoverers plus leader and membership watchers, for leak checks. */
    public static native int openHandles();

    /**
     * Test hook of the error boundary: throws the exception of core error kind {@code kind}
     * with {@code message}, or makes the native code panic when {@code kind} is "panic".
     */
    public static native void failForTest(String kind, String message) throws MesosDiscoveryException;
}
