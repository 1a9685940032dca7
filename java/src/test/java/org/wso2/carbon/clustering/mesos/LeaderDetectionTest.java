package org.wso2.carbon.clustering.mesos;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.Timeout;
import org.wso2.carbon.clustering.mesos.internal.Native;
import org.wso2.carbon.clustering.mesos.support.ChildProcess;
import org.wso2.carbon.clustering.mesos.support.ZooKeeper;

/** Leader detection through the Java API against a real ZooKeeper and fake masters. */
public class LeaderDetectionTest {

    @Rule
    public Timeout timeout = Timeout.seconds(120);

    private ZooKeeper zk;

    @Before
    public void start() throws Exception {
        zk = new ZooKeeper();
    }

    @After
    public void stop() {
        if (zk != null) {
            zk.close();
        }
    }

    @Test
    public void leaderAndMastersFromZooKeeper() throws Exception {
        zk.startMaster("master-a", 5050);
        zk.startMaster("master-b", 5051);
        MesosMaster leader = MesosDiscovery.leader(zk.url("/mesos"), 10000);
        assertNotNull(leader);
        assertEquals("master-a", leader.getId());
        assertEquals("127.0.0.1:5050", leader.address());
        assertEquals("master-master-a.test", leader.getHostname());
        assertEquals("json", leader.getFormat());
        assertTrue(leader.isLeader());
        assertTrue(leader.getZnode(), leader.getZnode().startsWith("/mesos/json.info_"));
        assertTrue(leader.toJson(), leader.toJson().contains("\"id\":\"master-a\""));

        List<MesosMaster> masters = MesosDiscovery.masters(zk.url("/mesos"), 10000);
        assertEquals(2, masters.size());
        assertEquals("master-a", masters.get(0).getId());
        assertTrue(masters.get(0).isLeader());
        assertEquals("master-b", masters.get(1).getId());
        assertFalse(masters.get(1).isLeader());
        assertTrue(masters.get(0).getSequence() < masters.get(1).getSequence());
    }

    @Test
    public void noMasterRegisteredIsNull() throws Exception {
        zk.startMaster("only", 5050).close();
        assertNull(MesosDiscovery.leader(zk.url("/mesos"), 10000));
        assertTrue(MesosDiscovery.masters(zk.url("/mesos"), 10000).isEmpty());
    }

    @Test
    public void watcherReportsLeaderChangesToListeners() throws Exception {
        ChildProcess a = zk.startMaster("master-a", 5050);
        zk.startMaster("master-b", 5051);
        final BlockingQueue<LeaderState> seen = new LinkedBlockingQueue<LeaderState>();
        int before = Native.openHandles();
        LeaderWatcher watcher = MesosDiscovery.watchLeader(zk.url("/mesos"), 0, new LeaderListener() {
            @Override
            public void leaderChanged(LeaderState state) {
                seen.add(state);
            }
        });
        try {
            LeaderState first = seen.poll(30, TimeUnit.SECONDS);
            assertNotNull("no first leader state", first);
            assertEquals(1, first.getGeneration());
            assertEquals("master-a", first.getLeader().getId());
            assertEquals(first.getGeneration(), watcher.current().getGeneration());

            a.close(); // master-a leaves cleanly: its znode goes at once
            LeaderState next = seen.poll(30, TimeUnit.SECONDS);
            assertNotNull("no change after the leader left", next);
            assertTrue(next.getGeneration() > first.getGeneration());
            assertEquals("master-b", next.getLeader().getId());
            assertNull(watcher.waitForChange(next.getGeneration(), 200));
        } finally {
            watcher.close();
            watcher.close();
        }
        assertTrue(watcher.isClosed());
        assertEquals(before, Native.openHandles());
        try {
            watcher.current();
            fail();
        } catch (MesosClosedException e) {
            assertTrue(e.getMessage().contains("closed"));
        }
    }

    @Test
    public void unreachableZooKeeperTimesOut() throws Exception {
        long started = System.currentTimeMillis();
        try {
            MesosDiscovery.leader("zk://127.0.0.1:1/mesos", 2000);
            fail();
        } catch (MesosTimeoutException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("127.0.0.1:1"));
        }
        assertTrue(System.currentTimeMillis() - started < 15000);
    }

    @Test
    public void badUrlIsAConfigError() throws Exception {
        try {
            MesosDiscovery.leader("http://127.0.0.1:2181/mesos", 1000);
            fail();
        } catch (MesosConfigException e) {
            assertTrue(e.getMessage(), e.getMessage().length() > 0);
        }
        try {
            MesosDiscovery.leader("zk://user:hunter2@127.0.0.1:1/mesos", 1000);
            fail();
        } catch (MesosDiscoveryException e) {
            assertFalse(e.getMessage(), e.getMessage().contains("hunter2"));
        }
    }
}
