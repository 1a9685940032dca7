package org.wso2.carbon.clustering.mesos;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.Timeout;
import org.wso2.carbon.clustering.mesos.internal.Native;
import org.wso2.carbon.clustering.mesos.support.Workbench;

/** The Java API's live membership: snapshot, awaitChange, listeners, close. */
public class MembershipWatcherTest {

    @Rule
    public Timeout timeout = Timeout.seconds(90);

    private Workbench workbench;
    private int handlesBefore;
    private final List<MembershipWatcher> watchers = new ArrayList<MembershipWatcher>();

    @Before
    public void start() throws Exception {
        handlesBefore = Native.openHandles();
        workbench = new Workbench("hazelcast-live.json");
    }

    @After
    public void stop() {
        for (MembershipWatcher w : watchers) {
            w.close();
        }
        workbench.close();
        assertEquals("every watcher freed", handlesBefore, Native.openHandles());
    }

    private Map<String, String> config() {
        Map<String, String> config = new HashMap<String, String>();
        config.put("MARATHON_ENDPOINT", workbench.url());
        config.put("MARATHON_APPLICATIONS", "/wso2/manager,/wso2/worker");
        return config;
    }

    private MembershipWatcher open() throws MesosDiscoveryException {
        MembershipWatcher w = new MembershipWatcher(config());
        watchers.add(w);
        return w;
    }

    /** Records every call and keeps the set the calls add up to. */
    static final class Recorder implements MesosMembershipListener {
        final List<List<MesosMember>> addedCalls = new ArrayList<List<MesosMember>>();
        final List<List<MesosMember>> removedCalls = new ArrayList<List<MesosMember>>();
        final TreeSet<String> view = new TreeSet<String>();
        final List<String> threads = new ArrayList<String>();
        final List<String> errors = new ArrayList<String>();

        @Override
        public synchronized void membersChanged(List<MesosMember> added, List<MesosMember> removed) {
            addedCalls.add(added);
            removedCalls.add(removed);
            threads.add(Thread.currentThread().getName());
            for (MesosMember m : removed) {
                if (!view.remove(m.hostPort() + " " + m.getTaskId())) {
                    errors.add("removed without having been added: " + m);
                }
            }
            for (MesosMember m : added) {
                if (!view.add(m.hostPort() + " " + m.getTaskId())) {
                    errors.add("added twice: " + m);
                }
            }
            notifyAll();
        }

        synchronized int calls() {
            return addedCalls.size();
        }

        synchronized TreeSet<String> view() {
            return new TreeSet<String>(view);
        }

        synchronized void awaitSize(int size, long millis) throws InterruptedException {
            long deadline = System.currentTimeMillis() + millis;
            while (view.size() != size && System.currentTimeMillis() < deadline) {
                wait(50);
            }
            assertEquals(view.toString(), size, view.size());
            assertTrue(errors.toString(), errors.isEmpty());
        }
    }

    private static TreeSet<String> names(List<MesosMember> members) {
        TreeSet<String> out = new TreeSet<String>();
        for (MesosMember m : members) {
            out.add(m.hostPort() + " " + m.getTaskId());
        }
        return out;
    }

    private void scale(String app, int instances) throws Exception {
        workbench.admin("/_workbench/scale", "{\"app\": \"" + app + "\", \"instances\": " + instances
                + ", \"task\": {\"agent\": \"127.0.0.1\"}}");
    }

    @Test
    public void snapshotAwaitChangeAndListenersFollowScaling() throws Exception {
        MembershipWatcher w = open();
        MembershipSnapshot first = w.awaitChange(0, 20000);
        assertNotNull("the first discovery arrives", first);
        assertTrue(first.getGeneration() >= 1);
        assertEquals(2, first.getMembers().size());
        assertNull(first.getErrorKind());
        assertEquals(first.getGeneration(), w.snapshot().getGeneration());
        assertNull("no change: awaitChange times out", w.awaitChange(first.getGeneration(), 300));
        assertNull("0 ms does not wait", w.awaitChange(first.getGeneration(), 0));
        assertNotNull("a different generation returns at once", w.awaitChange(first.getGeneration() + 7, 0));

        Recorder recorder = new Recorder();
        w.addListener(recorder);
        recorder.awaitSize(2, 10000);
        assertEquals("the first call brings every member", names(first.getMembers()), recorder.view());
        assertTrue(recorder.removedCalls.get(0).isEmpty());

        scale("/wso2/worker", 3);
        MembershipSnapshot up = w.awaitChange(first.getGeneration(), 20000);
        assertNotNull(up);
        assertTrue(up.getGeneration() > first.getGeneration());
        recorder.awaitSize(4, 20000);
        MembershipSnapshot now = w.snapshot();
        assertEquals(4, now.getMembers().size());
        assertEquals("the listener's view is the watcher's members", names(now.getMembers()), recorder.view());
        int addedTotal = 0;
        for (List<MesosMember> added : recorder.addedCalls.subList(1, recorder.calls())) {
            addedTotal += added.size();
        }
        assertEquals(2, addedTotal);

        scale("/wso2/worker", 1);
        recorder.awaitSize(2, 20000);
        int removedTotal = 0;
        synchronized (recorder) {
            for (List<MesosMember> removed : recorder.removedCalls) {
                removedTotal += removed.size();
            }
            for (String thread : recorder.threads) {
                assertTrue(thread, thread.startsWith("mesos-membership-watcher-"));
            }
        }
        assertEquals(2, removedTotal);
        assertEquals(names(w.snapshot().getMembers()), recorder.view());
        assertTrue(w.snapshot().getGeneration() > up.getGeneration());

        // A listener added later gets the current set first.
        Recorder late = new Recorder();
        w.addListener(late);
        late.awaitSize(2, 10000);
        assertEquals(recorder.view(), late.view());

        // A listener that throws does not stop the others.
        w.addListener(new MesosMembershipListener() {
            @Override
            public void membersChanged(List<MesosMember> added, List<MesosMember> removed) {
                throw new IllegalStateException("listener bug");
            }
        });
        scale("/wso2/manager", 2);
        recorder.awaitSize(3, 20000);
        late.awaitSize(3, 20000);

        w.removeListener(late);
        int lateCalls = late.calls();
        scale("/wso2/manager", 1);
        recorder.awaitSize(2, 20000);
        assertEquals("a removed listener is called no more", lateCalls, late.calls());
    }

    @Test
    public void closeIsIdempotentAndEveryCallAfterItIsClosed() throws Exception {
        MembershipWatcher w = open();
        assertNotNull(w.awaitChange(0, 20000));
        Recorder recorder = new Recorder();
        w.addListener(recorder);
        recorder.awaitSize(2, 10000);
        int before = Native.openHandles();
        w.close();
        w.close();
        assertTrue(w.isClosed());
        assertEquals(before - 1, Native.openHandles());
        try {
            w.snapshot();
            fail();
        } catch (MesosClosedException expected) {
            assertEquals("closed", expected.kind());
        }
        try {
            w.awaitChange(0, 1000);
            fail();
        } catch (MesosClosedException expected) {
            // closed
        }
        try {
            w.addListener(new Recorder());
            fail();
        } catch (MesosClosedException expected) {
            // closed
        }
        int calls = recorder.calls();
        scale("/wso2/worker", 3);
        Thread.sleep(1000);
        assertEquals("no listener call after close", calls, recorder.calls());
        String id = w.toString().replaceAll("\\D", "");
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            assertFalse("listener thread ended: " + t.getName(), t.getName().equals("mesos-membership-watcher-" + id));
            assertFalse("reader thread ended: " + t.getName(), t.getName().equals("mesos-membership-reader-" + id));
        }
    }

    @Test
    public void closeWakesAWaiterAndWorksFromAListener() throws Exception {
        final MembershipWatcher w = open();
        MembershipSnapshot first = w.awaitChange(0, 20000);
        assertNotNull(first);
        final long generation = first.getGeneration();
        final AtomicReference<Throwable> outcome = new AtomicReference<Throwable>();
        final CountDownLatch done = new CountDownLatch(1);
        Thread waiter = new Thread(new Runnable() {
            @Override
            public void run() {
                try {
                    w.awaitChange(generation, 60000);
                } catch (Throwable t) {
                    outcome.set(t);
                }
                done.countDown();
            }
        });
        waiter.start();
        Thread.sleep(300);
        long start = System.nanoTime();
        w.close();
        assertTrue(done.await(5, TimeUnit.SECONDS));
        assertTrue("woken promptly", System.nanoTime() - start < TimeUnit.SECONDS.toNanos(3));
        assertTrue(String.valueOf(outcome.get()), outcome.get() instanceof MesosClosedException);

        // close() from the listener's own thread: no deadlock, no further calls.
        final MembershipWatcher v = open();
        final CountDownLatch closed = new CountDownLatch(1);
        v.addListener(new MesosMembershipListener() {
            @Override
            public void membersChanged(List<MesosMember> added, List<MesosMember> removed) {
                v.close();
                closed.countDown();
            }
        });
        assertTrue(closed.await(20, TimeUnit.SECONDS));
        assertTrue(v.isClosed());
    }

    @Test
    public void startAfterDiscoveryHasTheMembersAtOnceAndFailsLikeDiscovery() throws Exception {
        MembershipWatcher w = MembershipWatcher.startAfterDiscovery(config());
        watchers.add(w);
        MembershipSnapshot now = w.snapshot();
        assertEquals(1, now.getGeneration());
        assertEquals(2, now.getMembers().size());

        int before = Native.openHandles();
        Map<String, String> bad = config();
        bad.put("MESOS_DISCOVERY_POLL_INTERVAL", "soon");
        try {
            new MembershipWatcher(bad);
            fail();
        } catch (MesosConfigException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("MESOS_DISCOVERY_POLL_INTERVAL"));
        }
        Map<String, String> unreachable = config();
        unreachable.put("MARATHON_ENDPOINT", "http://127.0.0.1:1");
        unreachable.put("MESOS_DISCOVERY_RETRIES", "0");
        try {
            MembershipWatcher.startAfterDiscovery(unreachable);
            fail();
        } catch (MesosNetworkException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("127.0.0.1:1"));
        }
        try {
            new MembershipWatcher(null);
            fail();
        } catch (MesosInvalidArgumentException expected) {
            // null config
        }
        assertEquals("failed starts leave nothing open", before, Native.openHandles());
    }

    @Test
    public void mesosDnsIsPolled() throws Exception {
        Map<String, String> config = config();
        config.put("MESOS_MEMBER_DISCOVERY_SCHEME", "MesosDNS");
        config.put("MESOS_DNS_ENDPOINT", workbench.url());
        config.put("MESOS_DISCOVERY_POLL_INTERVAL", "0.2");
        MembershipWatcher w = MembershipWatcher.startAfterDiscovery(config);
        watchers.add(w);
        Recorder recorder = new Recorder();
        w.addListener(recorder);
        recorder.awaitSize(2, 10000);
        scale("/wso2/worker", 2);
        recorder.awaitSize(3, 20000);
        assertEquals(names(w.snapshot().getMembers()), recorder.view());
    }

    /**
     * nextChange walks the core's changes: consecutive generations, each adding only absent
     * members and removing only present ones, folding to the snapshot; close wakes a waiter
     * at once.
     */
    @Test
    public void nextChangeWalksTheCoresChangesInOrderAndCloseWakesIt() throws Exception {
        final MembershipWatcher w = MembershipWatcher.startAfterDiscovery(config());
        watchers.add(w);
        MembershipChange first = w.nextChange(0, 10000);
        assertNotNull(first);
        assertEquals(1, first.getGeneration());
        assertFalse(first.isResync());
        assertEquals("the first change brings every member", 2, first.getAdded().size());
        assertTrue(first.getRemoved().isEmpty());
        assertEquals(names(first.getAdded()), names(first.getMembers()));
        assertNull("nothing after the latest", w.nextChange(1, 200));

        TreeSet<String> folded = names(first.getAdded());
        long[] generation = {first.getGeneration()};
        scale("/wso2/worker", 3);
        walk(w, folded, generation, 4);
        scale("/wso2/manager", 0);
        walk(w, folded, generation, 3);
        assertEquals(names(w.snapshot().getMembers()), folded);

        final long latest = generation[0];
        final AtomicReference<Throwable> outcome = new AtomicReference<Throwable>();
        final CountDownLatch done = new CountDownLatch(1);
        Thread waiter = new Thread(new Runnable() {
            @Override
            public void run() {
                try {
                    w.nextChange(latest, 60000);
                } catch (Throwable t) {
                    outcome.set(t);
                }
                done.countDown();
            }
        });
        waiter.start();
        Thread.sleep(300);
        long start = System.nanoTime();
        w.close();
        assertTrue(done.await(5, TimeUnit.SECONDS));
        assertTrue("woken promptly", System.nanoTime() - start < TimeUnit.SECONDS.toNanos(3));
        assertTrue(String.valueOf(outcome.get()), outcome.get() instanceof MesosClosedException);
    }

    /**
     * Follows nextChange from {@code generation[0]} until the folded set has {@code size}
     * members, checking each change against the set before it.
     */
    private static void walk(MembershipWatcher w, TreeSet<String> folded, long[] generation, int size)
            throws Exception {
        long deadline = System.currentTimeMillis() + 30000;
        while (folded.size() != size) {
            assertTrue("reached " + size + " members: " + folded, System.currentTimeMillis() < deadline);
            MembershipChange c = w.nextChange(generation[0], 1000);
            if (c == null) {
                continue;
            }
            assertFalse(c.isResync());
            assertEquals("no generation skipped", generation[0] + 1, c.getGeneration());
            for (String gone : names(c.getRemoved())) {
                assertTrue("removes only what is there: " + gone, folded.remove(gone));
            }
            for (String come : names(c.getAdded())) {
                assertTrue("adds only what is absent: " + come, folded.add(come));
            }
            assertEquals("the whole set after the change", names(c.getMembers()), folded);
            generation[0] = c.getGeneration();
        }
    }

    /**
     * Discover-then-watch is one core handle with one HTTP client (one pool): the first
     * discovery (both apps read at once: two connections), the event stream and the resyncs and
     * refetches after it use at most three TCP connections — the stream holds one, the app
     * reads share the pool. A second client for the watch would open its own stream and app
     * connections on top of the discovery's two: four or more.
     */
    @Test
    public void discoverThenWatchUsesOneClientsConnections() throws Exception {
        workbench.admin("/_workbench/stats/reset", "{}");
        int adminCalls = 0;
        MembershipWatcher w = MembershipWatcher.startAfterDiscovery(config());
        watchers.add(w);
        Recorder recorder = new Recorder();
        w.addListener(recorder);
        recorder.awaitSize(2, 10000);
        long deadline = System.currentTimeMillis() + 20000;
        while (!workbench.admin("/_workbench/events", null).contains("\"open_streams\":1")) {
            adminCalls++;
            assertTrue("the event stream opens", System.currentTimeMillis() < deadline);
            Thread.sleep(50);
        }
        adminCalls++;
        scale("/wso2/worker", 3);
        adminCalls++;
        recorder.awaitSize(4, 20000);
        // Let the confirming refetch happen too.
        Thread.sleep(1500);
        String stats = workbench.admin("/_workbench/stats", null);
        adminCalls++;
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"connections\":(\\d+)").matcher(stats);
        assertTrue(stats, m.find());
        long clientConnections = Long.parseLong(m.group(1)) - adminCalls;
        assertTrue("client connections: " + clientConnections + " (" + stats + ")",
                clientConnections >= 2 && clientConnections <= 3);
    }
}
