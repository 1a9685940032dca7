package org.wso2.carbon.clustering.mesos;

import java.io.Closeable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import org.wso2.carbon.clustering.mesos.internal.JulLogSink;
import org.wso2.carbon.clustering.mesos.internal.LogSink;
import org.wso2.carbon.clustering.mesos.internal.Native;
import org.wso2.carbon.clustering.mesos.internal.NativeCleaner;
import org.wso2.carbon.clustering.mesos.internal.NativeLog;

/**
 * Keeps a configuration's member set current (live membership): Marathon's event stream with a
 * full resync on every reconnect, or Mesos-DNS polling, in the native core. Ask it with
 * {@link #snapshot()} (no I/O) and {@link #awaitChange}, or add
 * {@link MesosMembershipListener}s.
 *
 * <pre>
 * MembershipWatcher watcher = new MembershipWatcher(config);
 * watcher.addListener(new MesosMembershipListener() {
 *     public void membersChanged(List&lt;MesosMember&gt; added, List&lt;MesosMember&gt; removed) { ... }
 * });
 * ...
 * watcher.close();
 * </pre>
 *
 * <p>Listeners run on one Java daemon thread per watcher ({@code mesos-membership-watcher-N}),
 * which waits in native code for the next change: no native thread ever calls into Java.
 * While it has listeners that thread keeps the watcher alive, so close it when done; a watcher
 * without listeners is also freed once unreachable. {@link #close()} is idempotent,
 * thread-safe and may be called from a listener; afterwards every call throws
 * {@link MesosClosedException}.
 */
public final class MembershipWatcher implements Closeable {

    /**
     * Longest single native wait of the listener thread: how soon it notices a listener added
     * after the first delivery, or its own close.
     */
    private static final long POLL_MILLIS = 250;
    /** Longest single native wait (the native side caps each wait at 60 s). */
    private static final long MAX_NATIVE_WAIT_MILLIS = 60000;

    private final long id;
    private final LogSink sink;
    private final NativeCleaner.Cleanable cleanable;
    private final CopyOnWriteArrayList<Slot> slots = new CopyOnWriteArrayList<Slot>();
    private final Object threadLock = new Object();
    private Thread thread;
    private volatile boolean closed;

    /**
     * Starts watching and returns at once; the first discovery arrives as generation 1. The
     * configuration is the core's vocabulary, validated here ({@link MesosConfigException}
     * names a bad key or value).
     */
    public MembershipWatcher(Map<String, String> config) throws MesosDiscoveryException {
        this(config, false, new JulLogSink(MemberDiscoverer.LOGGER));
    }

    /**
     * Runs one full discovery first (blocking up to the configured deadline; its failure is
     * thrown and nothing stays open), then starts watching from it: {@link #snapshot()} at once
     * holds those members as generation 1.
     */
    public static MembershipWatcher startAfterDiscovery(Map<String, String> config) throws MesosDiscoveryException {
        return new MembershipWatcher(config, true, new JulLogSink(MemberDiscoverer.LOGGER));
    }

    MembershipWatcher(Map<String, String> config, boolean discoverFirst, LogSink sink)
            throws MesosDiscoveryException {
        if (config == null) {
            throw new MesosInvalidArgumentException("the configuration map must not be null");
        }
        Native.ensureLoaded();
        this.sink = sink;
        String[][] pairs = MemberDiscoverer.keysAndValues(config);
        NativeLog.configure(sink);
        try {
            this.id = Native.memberWatcherOpen(pairs[0], pairs[1], discoverFirst);
        } finally {
            NativeLog.drainTo(sink);
        }
        this.cleanable = NativeCleaner.register(this, new Close(id));
    }

    /** What the watcher knows now; no I/O. */
    public MembershipSnapshot snapshot() throws MesosDiscoveryException {
        try {
            return Native.memberWatcherSnapshot(id);
        } finally {
            NativeLog.drainTo(sink);
        }
    }

    /**
     * Blocks until the generation differs from {@code knownGeneration} and returns the new
     * snapshot (at once if it already differs), or {@code null} once {@code timeoutMillis}
     * passed (0 or less: do not wait). Throws {@link MesosClosedException} once closed, also
     * when closed while waiting.
     */
    public MembershipSnapshot awaitChange(long knownGeneration, long timeoutMillis) throws MesosDiscoveryException {
        if (timeoutMillis <= 0) {
            MembershipSnapshot now = snapshot();
            return now.getGeneration() != knownGeneration ? now : null;
        }
        long deadline = System.nanoTime() + timeoutMillis * 1000000L;
        try {
            while (true) {
                long left = (deadline - System.nanoTime()) / 1000000L;
                if (left <= 0) {
                    return null;
                }
                MembershipSnapshot next = Native.memberWatcherWaitForChange(id, knownGeneration,
                        Math.min(left, MAX_NATIVE_WAIT_MILLIS));
                if (next != null) {
                    return next;
                }
            }
        } finally {
            NativeLog.drainTo(sink);
        }
    }

    /**
     * Adds a listener. Its first call brings every member known (once the first discovery
     * completed), then every change; see {@link MesosMembershipListener}. The listener thread
     * starts with the first listener.
     */
    public void addListener(MesosMembershipListener listener) throws MesosClosedException {
        if (listener == null) {
            throw new IllegalArgumentException("listener must not be null");
        }
        synchronized (threadLock) {
            if (closed) {
                throw new MesosClosedException("this membership watcher is closed");
            }
            slots.add(new Slot(listener));
            if (thread == null) {
                thread = new Thread(new Dispatch(), "mesos-membership-watcher-" + id);
                thread.setDaemon(true);
                thread.start();
            }
        }
    }

    /** Removes every registration of {@code listener}; it is called no more after this returns
     * (unless it is running right now on the listener thread). */
    public void removeListener(MesosMembershipListener listener) {
        for (Slot slot : slots) {
            if (slot.listener == listener) {
                slots.remove(slot);
            }
        }
    }

    public boolean isClosed() {
        return closed;
    }

    /**
     * Stops watching: the event stream closes, waiters get {@link MesosClosedException},
     * listeners are called no more. Waits up to 2 s for the listener thread to finish (unless
     * called from that thread).
     */
    @Override
    public void close() {
        Thread t;
        synchronized (threadLock) {
            closed = true;
            t = thread;
        }
        cleanable.clean();
        if (t != null && t != Thread.currentThread()) {
            try {
                t.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        NativeLog.drainTo(sink);
    }

    @Override
    public String toString() {
        return "MembershipWatcher#" + id + (closed ? " (closed)" : "");
    }

    /** Identity of a member across refreshes: host, port, app, task (not state or health). */
    static String identity(MesosMember m) {
        return m.getHost() + '\u0000' + m.getPort() + '\u0000' + m.getAppId() + '\u0000' + m.getTaskId();
    }

    /** One listener and what it has been told so far. Touched by the listener thread only. */
    private static final class Slot {
        final MesosMembershipListener listener;
        Map<String, MesosMember> told;

        Slot(MesosMembershipListener listener) {
            this.listener = listener;
        }
    }

    private final class Dispatch implements Runnable {
        @Override
        public void run() {
            MembershipSnapshot latest = null;
            while (!closed) {
                MembershipSnapshot next = null;
                boolean waited = true;
                if (latest != null && someoneUntold(latest)) {
                    waited = false;
                } else {
                    try {
                        next = Native.memberWatcherWaitForChange(id, latest == null ? 0 : latest.getGeneration(),
                                POLL_MILLIS);
                    } catch (MesosClosedException e) {
                        break;
                    } catch (MesosDiscoveryException e) {
                        sink.log("WARN", "mesos_discovery_jni", "membership watcher: " + e.getMessage());
                        pause();
                    } finally {
                        NativeLog.drainTo(sink);
                    }
                }
                if (next != null) {
                    latest = next;
                } else if (waited) {
                    continue;
                }
                if (closed || latest == null || latest.getGeneration() == 0) {
                    continue;
                }
                deliver(latest);
            }
        }

        private void pause() {
            try {
                Thread.sleep(POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        private boolean someoneUntold(MembershipSnapshot latest) {
            if (latest.getGeneration() == 0) {
                return false;
            }
            for (Slot slot : slots) {
                if (slot.told == null) {
                    return true;
                }
            }
            return false;
        }

        private void deliver(MembershipSnapshot snapshot) {
            Map<String, MesosMember> now = new HashMap<String, MesosMember>();
            for (MesosMember m : snapshot.getMembers()) {
                now.put(identity(m), m);
            }
            for (Slot slot : slots) {
                if (closed) {
                    return;
                }
                List<MesosMember> added = new ArrayList<MesosMember>();
                List<MesosMember> removed = new ArrayList<MesosMember>();
                boolean first = slot.told == null;
                for (MesosMember m : snapshot.getMembers()) {
                    if (first || !slot.told.containsKey(identity(m))) {
                        added.add(m);
                    }
                }
                if (!first) {
                    for (Map.Entry<String, MesosMember> e : slot.told.entrySet()) {
                        if (!now.containsKey(e.getKey())) {
                            removed.add(e.getValue());
                        }
                    }
                }
                slot.told = now;
                if (!first && added.isEmpty() && removed.isEmpty()) {
                    continue;
                }
                try {
                    slot.listener.membersChanged(Collections.unmodifiableList(added),
                            Collections.unmodifiableList(removed));
                } catch (VirtualMachineError e) {
                    throw e;
                } catch (Throwable t) {
                    sink.log("ERROR", "mesos_discovery_jni", "a membership listener failed: " + t);
                }
            }
        }
    }

    private static final class Close implements Runnable {
        private final long id;

        Close(long id) {
            this.id = id;
        }

        @Override
        public void run() {
            Native.memberWatcherClose(id);
        }
    }
}
