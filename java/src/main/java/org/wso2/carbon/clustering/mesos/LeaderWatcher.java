package org.wso2.carbon.clustering.mesos;

import java.io.Closeable;
import java.util.concurrent.CopyOnWriteArrayList;

import org.wso2.carbon.clustering.mesos.internal.LogSink;
import org.wso2.carbon.clustering.mesos.internal.Native;
import org.wso2.carbon.clustering.mesos.internal.NativeCleaner;
import org.wso2.carbon.clustering.mesos.internal.NativeLog;

/**
 * Follows the leading Mesos master through ZooKeeper watches (no polling); see
 * {@link MesosDiscovery#watchLeader}. Ask it with {@link #current()} /
 * {@link #waitForChange}, or add {@link LeaderListener}s.
 *
 * <p>Listeners run on one Java daemon thread per watcher ({@code mesos-leader-watcher-N}),
 * which waits in native code for the next change: no native thread ever calls into Java.
 * While it has listeners that thread keeps the watcher alive, so close it when done; a
 * watcher without listeners is also freed once unreachable. {@link #close()} is idempotent,
 * thread-safe and may be called from a listener.
 */
public final class LeaderWatcher implements Closeable {

    /** Longest single native wait of the listener thread, so it notices close promptly. */
    private static final long POLL_MILLIS = 1000;

    private final long id;
    private final LogSink sink;
    private final NativeCleaner.Cleanable cleanable;
    private final CopyOnWriteArrayList<LeaderListener> listeners = new CopyOnWriteArrayList<LeaderListener>();
    private final Object threadLock = new Object();
    private Thread thread;
    private volatile boolean closed;

    LeaderWatcher(String zkUrl, long sessionTimeoutMillis, long connectTimeoutMillis, LogSink sink)
            throws MesosDiscoveryException {
        if (zkUrl == null) {
            throw new MesosInvalidArgumentException("the ZooKeeper URL must not be null");
        }
        Native.ensureLoaded();
        this.sink = sink;
        NativeLog.configure(sink);
        try {
            this.id = Native.watcherOpen(zkUrl, sessionTimeoutMillis, connectTimeoutMillis);
        } finally {
            NativeLog.drainTo(sink);
        }
        this.cleanable = NativeCleaner.register(this, new Close(id));
    }

    /** The latest known state; no I/O. */
    public LeaderState current() throws MesosDiscoveryException {
        try {
            return Native.watcherCurrent(id);
        } finally {
            NativeLog.drainTo(sink);
        }
    }

    /**
     * Blocks until the generation differs from {@code generation} and returns the new state
     * (at once if it already differs), or {@code null} after {@code timeoutMillis} (at most
     * 60 s). Throws {@link MesosClosedException} once closed.
     */
    public LeaderState waitForChange(long generation, long timeoutMillis) throws MesosDiscoveryException {
        try {
            return Native.watcherWaitForChange(id, generation, timeoutMillis);
        } finally {
            NativeLog.drainTo(sink);
        }
    }

    /**
     * Adds a listener. The listener thread starts with the first one and first delivers the
     * current state (once there is an answer), then every change in order.
     */
    public void addListener(LeaderListener listener) {
        if (listener == null) {
            throw new IllegalArgumentException("listener must not be null");
        }
        listeners.add(listener);
        synchronized (threadLock) {
            if (thread == null && !closed) {
                thread = new Thread(new Dispatch(), "mesos-leader-watcher-" + id);
                thread.setDaemon(true);
                thread.start();
            }
        }
    }

    public void removeListener(LeaderListener listener) {
        listeners.remove(listener);
    }

    public boolean isClosed() {
        return closed;
    }

    /**
     * Ends the watch: the ZooKeeper session closes, waiters get {@link MesosClosedException},
     * listeners are called no more. Waits up to 2 s for the listener thread to finish (unless
     * called from that thread).
     */
    @Override
    public void close() {
        closed = true;
        cleanable.clean();
        Thread t;
        synchronized (threadLock) {
            t = thread;
        }
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
        return "LeaderWatcher#" + id + (closed ? " (closed)" : "");
    }

    private final class Dispatch implements Runnable {
        @Override
        public void run() {
            long generation = 0;
            while (!closed) {
                LeaderState state;
                try {
                    state = Native.watcherWaitForChange(id, generation, POLL_MILLIS);
                } catch (MesosClosedException e) {
                    break;
                } catch (MesosDiscoveryException e) {
                    sink.log("WARN", "mesos_discovery_jni", "leader watcher: " + e.getMessage());
                    state = null;
                } finally {
                    NativeLog.drainTo(sink);
                }
                if (state == null || closed) {
                    continue;
                }
                generation = state.getGeneration();
                for (LeaderListener listener : listeners) {
                    try {
                        listener.leaderChanged(state);
                    } catch (RuntimeException e) {
                        sink.log("ERROR", "mesos_discovery_jni", "a leader listener failed: " + e);
                    }
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
            Native.watcherClose(id);
        }
    }
}
