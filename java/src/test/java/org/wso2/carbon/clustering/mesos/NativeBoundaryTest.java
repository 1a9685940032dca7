package org.wso2.carbon.clustering.mesos;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.Timeout;
import org.wso2.carbon.clustering.mesos.internal.Native;
import org.wso2.carbon.clustering.mesos.internal.NativeCleaner;

/** The JNI boundary itself: error kinds to exceptions, panics, bad ids, nulls, ownership. */
public class NativeBoundaryTest {

    @Rule
    public Timeout timeout = Timeout.seconds(60);

    /** Every core error kind, its exception class. */
    private static final Object[][] KINDS = {
        {"invalid_argument", MesosInvalidArgumentException.class},
        {"config", MesosConfigException.class},
        {"network", MesosNetworkException.class},
        {"timeout", MesosTimeoutException.class},
        {"auth", MesosAuthException.class},
        {"not_found", MesosNotFoundException.class},
        {"protocol", MesosProtocolException.class},
        {"unavailable", MesosUnavailableException.class},
        {"zookeeper", MesosZooKeeperException.class},
        {"closed", MesosClosedException.class},
        {"internal", MesosInternalException.class},
    };

    @Test
    public void versionMatchesTheBuild() {
        String version = MesosDiscovery.nativeVersion();
        assertTrue(version, version.matches("\\d+\\.\\d+\\.\\d+.*"));
    }

    @Test
    public void vocabularyHasTheCarbonParameters() {
        List<String> keys = MesosDiscovery.knownKeys();
        for (String key : new String[] {"MESOS_MEMBER_DISCOVERY_SCHEME", "MARATHON_ENDPOINT", "MESOS_DNS_ENDPOINT",
            "MARATHON_APPLICATIONS", "ENABLE_MARATHON_BASIC_AUTH", "MARATHON_USERNAME", "MARATHON_PASSWORD"}) {
            assertTrue(key + " in " + keys, keys.contains(key));
        }
    }

    @Test
    public void everyErrorKindHasItsOwnException() {
        for (Object[] row : KINDS) {
            String kind = (String) row[0];
            try {
                Native.failForTest(kind, "message for " + kind);
                fail("no exception for " + kind);
            } catch (MesosDiscoveryException e) {
                assertEquals(kind, row[1], e.getClass());
                assertEquals(kind, e.kind());
                assertEquals("message for " + kind, e.getMessage());
            }
        }
    }

    @Test
    public void aPanicBecomesAnInternalException() {
        for (int i = 0; i < 3; i++) {
            try {
                Native.failForTest("panic", "boom " + i);
                fail("no exception");
            } catch (MesosInternalException e) {
                assertTrue(e.getMessage(), e.getMessage().contains("panicked") && e.getMessage().contains("boom " + i));
            } catch (MesosDiscoveryException e) {
                fail("wrong exception " + e);
            }
        }
        // The library keeps working after a caught panic.
        assertNotNull(MesosDiscovery.nativeVersion());
    }

    @Test
    public void unknownKindAndNullArgumentsAreInvalidArguments() throws Exception {
        try {
            Native.failForTest("no_such_kind", "x");
            fail();
        } catch (MesosInvalidArgumentException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("no_such_kind"));
        }
        try {
            Native.failForTest(null, "x");
            fail();
        } catch (MesosInvalidArgumentException e) {
            assertTrue(e.getMessage().contains("must not be null"));
        }
        try {
            Native.discovererOpen(null, new String[0]);
            fail();
        } catch (MesosInvalidArgumentException e) {
            assertTrue(e.getMessage().contains("must not be null"));
        }
        try {
            Native.discovererOpen(new String[] {"A", "B"}, new String[] {"a"});
            fail();
        } catch (MesosInvalidArgumentException e) {
            assertTrue(e.getMessage().contains("differ in length"));
        }
        try {
            Native.discovererOpen(new String[] {null}, new String[] {"a"});
            fail();
        } catch (MesosInvalidArgumentException e) {
            assertTrue(e.getMessage().contains("must not be null"));
        }
        try {
            Native.zkLeader(null, 0, 0);
            fail();
        } catch (MesosInvalidArgumentException e) {
            assertTrue(e.getMessage().contains("ZooKeeper URL"));
        }
    }

    @Test
    public void staleForgedAndDoubleClosedIdsNeverCrash() throws Exception {
        for (long id : new long[] {0, -1, Long.MAX_VALUE, Long.MIN_VALUE, 123456789}) {
            try {
                Native.discovererDiscover(id);
                fail();
            } catch (MesosClosedException e) {
                assertTrue(e.getMessage().contains("closed"));
            }
            try {
                Native.watcherCurrent(id);
                fail();
            } catch (MesosClosedException e) {
                assertTrue(e.getMessage().contains("leader watcher"));
            }
            Native.discovererClose(id);
            Native.watcherClose(id);
        }
        MemberDiscoverer d = new MemberDiscoverer(config("http://127.0.0.1:1"));
        d.close();
        d.close();
        try {
            d.discover();
            fail();
        } catch (MesosClosedException e) {
            assertTrue(e.getMessage().contains("closed"));
        }
    }

    @Test
    public void concurrentCloseIsSafeAndFreesOnce() throws Exception {
        final int before = Native.openHandles();
        for (int round = 0; round < 20; round++) {
            final MemberDiscoverer d = new MemberDiscoverer(config("http://127.0.0.1:1"));
            Thread[] threads = new Thread[4];
            for (int i = 0; i < threads.length; i++) {
                threads[i] = new Thread(new Runnable() {
                    @Override
                    public void run() {
                        d.close();
                    }
                });
                threads[i].start();
            }
            for (Thread t : threads) {
                t.join();
            }
        }
        assertEquals(before, Native.openHandles());
    }

    @Test
    public void unclosedOwnersAreFreedWhenCollected() throws Exception {
        int before = Native.openHandles();
        int pendingBefore = NativeCleaner.pending();
        for (int i = 0; i < 10; i++) {
            new MemberDiscoverer(config("http://127.0.0.1:1"));
        }
        assertEquals(before + 10, Native.openHandles());
        long deadline = System.currentTimeMillis() + 30000;
        while (Native.openHandles() > before && System.currentTimeMillis() < deadline) {
            System.gc();
            Thread.sleep(50);
        }
        assertEquals("the cleaner freed every unreachable discoverer", before, Native.openHandles());
        assertTrue(NativeCleaner.pending() <= pendingBefore);
    }

    static Map<String, String> config(String marathon) {
        Map<String, String> config = new LinkedHashMap<String, String>();
        config.put("MARATHON_ENDPOINT", marathon);
        config.put("MARATHON_APPLICATIONS", "/wso2/manager");
        return config;
    }

    static Map<String, String> map(String... pairs) {
        Map<String, String> m = new HashMap<String, String>();
        for (int i = 0; i < pairs.length; i += 2) {
            m.put(pairs[i], pairs[i + 1]);
        }
        return m;
    }
}
