package org.wso2.carbon.clustering.mesos;

import java.io.Closeable;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;

import org.wso2.carbon.clustering.mesos.internal.JulLogSink;
import org.wso2.carbon.clustering.mesos.internal.LogSink;
import org.wso2.carbon.clustering.mesos.internal.Native;
import org.wso2.carbon.clustering.mesos.internal.NativeCleaner;
import org.wso2.carbon.clustering.mesos.internal.NativeLog;

/**
 * Keeps a configuration's member set current (live membership): Marathon's event stream with a
 * full resync on every reconnect, or Mesos-DNS polling, in the native core. Ask it with
 * {@link #snapshot()} (no I/O), {@link #awaitChange} and {@link #nextChange}, or add
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
 * <p>What changed is the core's answer: listeners get the core's own changes, in order, none
 * skipped; nothing here compares member lists. Listeners run on one Java daemon thread per
 * watcher ({@code mesos-membership-watcher-N}); a second one
 * ({@code mesos-membership-reader-N}) waits in native code for the next change and hands it
 * over, so no native thread ever calls into Java and nothing polls: a change, a new listener
 * and {@link #close()} are each acted on at once. While it has listeners these threads keep
 * the watcher alive, so close it when done; a watcher without listeners is also freed once
 * unreachable. {@link #close()} is idempotent, thread-safe and may be called from a listener;
 * afterwards every call throws {@link MesosClosedException}.
 */
public final class MembershipWatcher implements Closeable {

    /** Longest single native wait (the native side caps each wait at 60 s). */
    private static final long MAX_NATIVE_WAIT_MILLIS = 60000;
    /** What the reader hands the delivery thread when it stops. */
    private static final Object END = new Object();

    private final long id;
    private final LogSink sink;
    private final NativeCleaner.Cleanable cleanable;
    private final CopyOnWriteArrayList<Slot> slots = new CopyOnWriteArrayList<Slot>();
    /** Changes (from the reader), welcomes of new listeners, and {@link #END}, in order. */
    private final LinkedBlockingQueue<Object> queue = new LinkedBlockingQueue<Object>();
    private final Object threadLock = new Object();
    private Thread reader;
    private Thread delivery;
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

    /**
     * {@code config} may be {@link ConfigLayers} (Carbon's parameters with the system
     * properties and environment beside them): the core then merges the layers.
     */
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
            if (config instanceof ConfigLayers) {
                ConfigLayers layers = (ConfigLayers) config;
                String[][] properties = MemberDiscoverer.keysAndValues(layers.systemProperties());
                String[][] environment = MemberDiscoverer.keysAndValues(layers.environment());
                this.id = Native.memberWatcherOpenLayered(pairs[0], pairs[1], properties[0], properties[1],
                        environment[0], environment[1], discoverFirst);
            } else {
                this.id = Native.memberWatcherOpen(pairs[0], pairs[1], discoverFirst);
            }
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
     * Blocks until there is a change after generation {@code afterGeneration} and returns the
     * first one (at once if there already is), or {@code null} once {@code timeoutMillis}
     * passed (0 or less: do not wait). Passing each answer's generation back walks every
     * change in order: start with 0 (the first change, generation 1, brings every member as
     * added). A reader that fell further behind than the core keeps changes gets a
     * {@linkplain MembershipChange#isResync() resync}. Throws {@link MesosClosedException} once
     * closed, also when closed while waiting.
     */
    public MembershipChange nextChange(long afterGeneration, long timeoutMillis) throws MesosDiscoveryException {
        long deadline = System.nanoTime() + Math.max(0, timeoutMillis) * 1000000L;
        try {
            while (true) {
                long left = Math.max(1, (deadline - System.nanoTime()) / 1000000L);
                MembershipChange next = Native.memberWatcherNextChange(id, afterGeneration,
                        Math.min(left, MAX_NATIVE_WAIT_MILLIS));
                if (next != null || System.nanoTime() - deadline >= 0) {
                    return next;
                }
            }
        } finally {
            NativeLog.drainTo(sink);
        }
    }

    /**
     * Adds a listener. Its first call brings every member known (once the first discovery
     * completed), then every change; see {@link MesosMembershipListener}. The listener threads
     * start with the first listener.
     */
    public void addListener(MesosMembershipListener listener) throws MesosClosedException {
        if (listener == null) {
            throw new IllegalArgumentException("listener must not be null");
        }
        synchronized (threadLock) {
            if (closed) {
                throw new MesosClosedException("this membership watcher is closed");
            }
            Slot slot = new Slot(listener);
            slots.add(slot);
            queue.add(slot);
            if (delivery == null) {
                delivery = daemon(new Delivery(), "mesos-membership-watcher-" + id);
                reader = daemon(new Reader(), "mesos-membership-reader-" + id);
            }
        }
    }

    private static Thread daemon(Runnable body, String name) {
        Thread t = new Thread(body, name);
        t.setDaemon(true);
        t.start();
        return t;
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
     * listeners are called no more. Waits up to 2 s for the listener threads to finish (unless
     * called from one of them).
     */
    @Override
    public void close() {
        Thread[] threads;
        synchronized (threadLock) {
            closed = true;
            threads = new Thread[] {reader, delivery};
        }
        cleanable.clean();
        for (Thread t : threads) {
            if (t != null && t != Thread.currentThread()) {
                try {
                    t.join(2000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        NativeLog.drainTo(sink);
    }

    @Override
    public String toString() {
        return "MembershipWatcher#" + id + (closed ? " (closed)" : "");
    }

    /** One listener and the generation it has been told up to (-1: not welcomed yet). */
    private static final class Slot {
        final MesosMembershipListener listener;
        /** Touched by the delivery thread only. */
        long told = -1;

        Slot(MesosMembershipListener listener) {
            this.listener = listener;
        }
    }

    /** Waits in native code for each next change and queues it; wakes at once on close. */
    private final class Reader implements Runnable {
        @Override
        public void run() {
            long generation = 0;
            try {
                while (!closed) {
                    MembershipChange next;
                    try {
                        next = Native.memberWatcherNextChange(id, generation, MAX_NATIVE_WAIT_MILLIS);
                    } catch (MesosClosedException e) {
                        break;
                    } catch (MesosDiscoveryException e) {
                        sink.log("ERROR", "mesos_discovery_jni", "membership watcher stops: " + e.getMessage());
                        break;
                    } finally {
                        NativeLog.drainTo(sink);
                    }
                    if (next != null) {
                        queue.add(next);
                        generation = next.getGeneration();
                    }
                }
            } finally {
                queue.add(END);
            }
        }
    }

    /** Calls the listeners with each queued change, and welcomes new listeners in between. */
    private final class Delivery implements Runnable {
        /** Every member after the last change taken from the queue, and its generation. */
        private List<MesosMember> members = Collections.emptyList();
        private long generation;

        @Override
        public void run() {
            while (!closed) {
                Object item;
                try {
                    item = queue.take();
                } catch (InterruptedException e) {
                    return;
                }
                if (item == END) {
                    return;
                }
                if (item instanceof Slot) {
                    welcome((Slot) item);
                } else {
                    apply((MembershipChange) item);
                }
            }
        }

        /** A listener added now hears the set as of the changes delivered so far. */
        private void welcome(Slot slot) {
            if (generation == 0) {
                slot.told = 0; // its first call is the first discovery's change
                return;
            }
            slot.told = generation;
            call(slot, members, Collections.<MesosMember>emptyList());
        }

        private void apply(MembershipChange change) {
            List<MesosMember> before = members;
            members = change.getMembers();
            generation = change.getGeneration();
            if (change.isResync()) {
                sink.log("WARN", "mesos_discovery_jni", "membership listeners fell behind the core's changes; "
                        + "they are told every member they knew went and every member now came");
            }
            for (Slot slot : slots) {
                if (slot.told < 0 || slot.told >= change.getGeneration()) {
                    continue;
                }
                slot.told = change.getGeneration();
                if (change.isResync()) {
                    call(slot, change.getMembers(), before);
                } else {
                    call(slot, change.getAdded(), change.getRemoved());
                }
            }
        }

        private void call(Slot slot, List<MesosMember> added, List<MesosMember> removed) {
            if (closed || !slots.contains(slot)) {
                return;
            }
            try {
                slot.listener.membersChanged(added, removed);
            } catch (VirtualMachineError e) {
                throw e;
            } catch (Throwable t) {
                sink.log("ERROR", "mesos_discovery_jni", "a membership listener failed: " + t);
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
