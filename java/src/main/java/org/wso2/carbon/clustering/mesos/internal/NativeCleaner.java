package org.wso2.carbon.clustering.mesos.internal;

import java.lang.ref.PhantomReference;
import java.lang.ref.ReferenceQueue;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A Java 7/8 stand-in for {@code java.lang.ref.Cleaner} (Java 9+): when an owner object becomes
 * unreachable without having been closed, a daemon thread runs its cleanup action (which must
 * not refer to the owner). Owners call {@link Cleanable#clean()} from {@code close()}, which
 * runs the action at most once, whoever gets there first.
 */
public final class NativeCleaner {

    private static final ReferenceQueue<Object> QUEUE = new ReferenceQueue<Object>();
    /** Keeps the references themselves reachable until they are cleaned. */
    private static final Set<Cleanable> PENDING =
            Collections.synchronizedSet(Collections.newSetFromMap(new IdentityHashMap<Cleanable, Boolean>()));
    private static final Object START_LOCK = new Object();
    private static Thread thread;

    private NativeCleaner() {
    }

    /** Runs {@code action} once {@code owner} is unreachable, unless cleaned before. */
    public static Cleanable register(Object owner, Runnable action) {
        startThread();
        Cleanable cleanable = new Cleanable(owner, action);
        PENDING.add(cleanable);
        return cleanable;
    }

    /** How many registered owners are neither closed nor collected (for tests). */
    public static int pending() {
        return PENDING.size();
    }

    private static void startThread() {
        synchronized (START_LOCK) {
            if (thread != null) {
                return;
            }
            thread = new Thread(new Runnable() {
                @Override
                public void run() {
                    while (true) {
                        try {
                            ((Cleanable) QUEUE.remove()).clean();
                        } catch (InterruptedException e) {
                            // A daemon; keep serving until the JVM exits.
                        } catch (Throwable t) {
                            // One failing action must not stop the others.
                        }
                    }
                }
            }, "mesos-discovery-cleaner");
            thread.setDaemon(true);
            thread.start();
        }
    }

    /** A registered owner's cleanup. */
    public static final class Cleanable extends PhantomReference<Object> {

        private final Runnable action;
        private final AtomicBoolean done = new AtomicBoolean();

        Cleanable(Object owner, Runnable action) {
            super(owner, QUEUE);
            this.action = action;
        }

        /** Runs the action if nobody has; thread-safe, idempotent. */
        public void clean() {
            if (done.compareAndSet(false, true)) {
                PENDING.remove(this);
                clear();
                action.run();
            }
        }

        public boolean isCleaned() {
            return done.get();
        }
    }
}
