package org.wso2.carbon.clustering.mesos;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import org.apache.axis2.clustering.ClusteringFault;
import org.apache.axis2.clustering.ClusteringMessage;
import org.apache.axis2.description.Parameter;
import org.junit.After;
import org.junit.AfterClass;
import org.junit.Before;
import org.junit.BeforeClass;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.Timeout;
import org.wso2.carbon.clustering.mesos.internal.Native;
import org.wso2.carbon.clustering.mesos.support.RecordingLog;
import org.wso2.carbon.clustering.mesos.support.Workbench;

/** The Carbon scheme: axis2 parameters in, Hazelcast join configuration out, failures as faults. */
public class MesosMembershipSchemeTest {

    @Rule
    public Timeout timeout = Timeout.seconds(60);

    private static Workbench workbench;
    private static Workbench authWorkbench;

    @BeforeClass
    public static void start() throws Exception {
        workbench = new Workbench("hazelcast-local.json");
        authWorkbench = new Workbench("auth-basic.json");
    }

    @AfterClass
    public static void stop() {
        if (workbench != null) {
            workbench.close();
        }
        if (authWorkbench != null) {
            authWorkbench.close();
        }
    }

    static Map<String, Parameter> parameters(String... pairs) {
        Map<String, Parameter> map = new HashMap<String, Parameter>();
        // Carbon's own clustering parameters sit beside ours and must be left alone.
        map.put("membershipScheme", new Parameter("membershipScheme", "mesos"));
        map.put("domain", new Parameter("domain", "wso2.carbon.domain"));
        map.put("localMemberPort", new Parameter("localMemberPort", "4000"));
        for (int i = 0; i < pairs.length; i += 2) {
            map.put(pairs[i], new Parameter(pairs[i], pairs[i + 1]));
        }
        return map;
    }

    /** Every scheme a test made; closed after it (init() leaves a membership watcher open). */
    private static final List<MesosMembershipScheme> SCHEMES = new ArrayList<MesosMembershipScheme>();
    private int handlesBefore;

    @Before
    public void countHandles() {
        handlesBefore = Native.openHandles();
    }

    @After
    public void closeSchemes() {
        synchronized (SCHEMES) {
            for (MesosMembershipScheme s : SCHEMES) {
                s.close();
                s.close();
            }
            SCHEMES.clear();
        }
        assertEquals("close() frees every watcher init() opened", handlesBefore, Native.openHandles());
    }

    static MesosMembershipScheme scheme(Config config, Map<String, Parameter> parameters) {
        MesosMembershipScheme s = new MesosMembershipScheme(parameters, "wso2.carbon.domain", config, null,
                new ArrayList<ClusteringMessage>());
        synchronized (SCHEMES) {
            SCHEMES.add(s);
        }
        return s;
    }

    @Test
    public void initSeedsTheTcpIpJoinWithEveryMember() throws Exception {
        for (String scheme : new String[] {"Marathon", "MesosDNS"}) {
            Config config = new Config();
            config.getNetworkConfig().getJoin().getTcpIpConfig().setEnabled(false);
            scheme(config, parameters("MESOS_MEMBER_DISCOVERY_SCHEME", scheme,
                    "MARATHON_ENDPOINT", workbench.url(), "MESOS_DNS_ENDPOINT", workbench.url(),
                    "MARATHON_APPLICATIONS", "/wso2/manager,/wso2/worker")).init();
            JoinConfig join = config.getNetworkConfig().getJoin();
            assertFalse(join.getMulticastConfig().isEnabled());
            assertFalse(join.getAwsConfig().isEnabled());
            assertTrue(join.getTcpIpConfig().isEnabled());
            assertEquals(scheme, Arrays.asList("127.0.0.1:25701", "127.0.0.1:25702", "127.0.0.1:25703"),
                    join.getTcpIpConfig().getMembers());
        }
    }

    @Test
    public void coreWarningsReachCarbonsLogUnderTheSchemesLogger() throws Exception {
        RecordingLog.clear();
        Config config = new Config();
        scheme(config, parameters("MARATHON_ENDPOINT", workbench.url(),
                "MARATHON_APPLICATIONS", "/wso2/manager,/no/such-app")).init();
        assertEquals(Arrays.asList("127.0.0.1:25701"), config.getNetworkConfig().getJoin().getTcpIpConfig().getMembers());
        String logger = MesosMembershipScheme.class.getName();
        boolean warned = false;
        boolean found = false;
        for (String record : RecordingLog.records()) {
            warned |= record.startsWith("WARN " + logger + ": ") && record.contains("/no/such-app");
            found |= record.startsWith("INFO " + logger + ": ") && record.contains("127.0.0.1:25701");
        }
        assertTrue(RecordingLog.records().toString(), warned);
        assertTrue(RecordingLog.records().toString(), found);
    }

    @Test
    public void discoveryFailureIsAClusteringFaultWithTheCoresMessage() throws Exception {
        int before = Native.openHandles();
        try {
            scheme(new Config(), parameters("MARATHON_ENDPOINT", "http://127.0.0.1:1",
                    "MARATHON_APPLICATIONS", "/wso2/manager", "MESOS_DISCOVERY_RETRIES", "0")).init();
            fail();
        } catch (ClusteringFault e) {
            assertTrue(e.getCause() instanceof MesosNetworkException);
            assertEquals(e.getCause().getMessage(), e.getMessage());
            assertTrue(e.getMessage(), e.getMessage().contains("127.0.0.1:1"));
        }
        try {
            scheme(new Config(), parameters("MARATHON_ENDPOINT", workbench.url())).init();
            fail();
        } catch (ClusteringFault e) {
            assertTrue(e.getCause() instanceof MesosConfigException);
            assertTrue(e.getMessage(), e.getMessage().contains("MARATHON_APPLICATIONS"));
        }
        assertEquals("a failed init() leaves no watcher open", before, Native.openHandles());
    }

    @Test
    public void aMisspelledParameterIsNamedNotIgnored() throws Exception {
        try {
            scheme(new Config(), parameters("MARATHON_ENDPIONT", workbench.url(),
                    "MARATHON_APPLICATIONS", "/wso2/manager")).init();
            fail();
        } catch (ClusteringFault e) {
            assertTrue(e.getMessage(), e.getMessage().contains("MARATHON_ENDPIONT"));
        }
    }

    @Test
    public void basicAuthAndPasswordsNeverInFaultsOrLogs() throws Exception {
        RecordingLog.clear();
        Config config = new Config();
        scheme(config, parameters("MARATHON_ENDPOINT", authWorkbench.url(), "MARATHON_APPLICATIONS", "/wso2/node",
                "ENABLE_MARATHON_BASIC_AUTH", "true", "MARATHON_USERNAME", "carbon",
                "MARATHON_PASSWORD", "s3cret pass")).init();
        assertEquals(1, config.getNetworkConfig().getJoin().getTcpIpConfig().getMembers().size());
        try {
            scheme(new Config(), parameters("MARATHON_ENDPOINT", authWorkbench.url(),
                    "MARATHON_APPLICATIONS", "/wso2/node", "ENABLE_MARATHON_BASIC_AUTH", "true",
                    "MARATHON_USERNAME", "carbon", "MARATHON_PASSWORD", "Wr0ng-s3cret")).init();
            fail();
        } catch (ClusteringFault e) {
            assertTrue(e.getCause() instanceof MesosAuthException);
            assertFalse(e.getMessage().contains("Wr0ng-s3cret"));
        }
        for (String record : RecordingLog.records()) {
            assertFalse(record, record.contains("s3cret"));
        }
    }

    /**
     * Without a Hazelcast instance (before Carbon creates it), the watcher keeps the
     * configuration's join list current: a new task is added, a killed one taken out at once
     * (no cluster can still have it). Addresses not put there by the scheme are never removed.
     * After close(), the list no longer changes.
     */
    @Test
    public void initKeepsTheJoinListCurrentUntilClosed() throws Exception {
        Workbench live = new Workbench("hazelcast-live.json");
        try {
            Config config = new Config();
            config.getNetworkConfig().getJoin().getTcpIpConfig().addMember("10.9.9.9:5701");
            MesosMembershipScheme s = scheme(config, parameters("MARATHON_ENDPOINT", live.url(),
                    "MARATHON_APPLICATIONS", "/wso2/manager,/wso2/worker"));
            s.init();
            JoinConfig join = config.getNetworkConfig().getJoin();
            assertTrue(join.getTcpIpConfig() instanceof LiveTcpIpConfig);
            assertEquals(Arrays.asList("10.9.9.9:5701", "127.0.0.1:25711", "127.0.0.1:25712"),
                    join.getTcpIpConfig().getMembers());
            assertEquals("init()'s discovery is the watcher's first state", 1, s.getWatcher().snapshot().getGeneration());

            String body = live.admin("/_workbench/tasks",
                    "{\"app\": \"/wso2/worker\", \"task\": {\"agent\": \"127.0.0.1\", \"ports\": [25719]}}");
            String taskId = body.replaceAll("(?s).*\"task_id\"\\s*:\\s*\"([^\"]+)\".*", "$1");
            awaitMembers(join, Arrays.asList("10.9.9.9:5701", "127.0.0.1:25711", "127.0.0.1:25712", "127.0.0.1:25719"));
            live.admin("/_workbench/tasks/kill", "{\"task_id\": \"" + taskId + "\", \"scale\": true}");
            awaitMembers(join, Arrays.asList("10.9.9.9:5701", "127.0.0.1:25711", "127.0.0.1:25712"));
            // The user's own entry is never the scheme's to remove, even when Marathon lacks it.
            live.admin("/_workbench/scale", "{\"app\": \"/wso2/worker\", \"instances\": 0}");
            awaitMembers(join, Arrays.asList("10.9.9.9:5701", "127.0.0.1:25711"));

            s.close();
            assertNull(s.getWatcher());
            live.admin("/_workbench/scale", "{\"app\": \"/wso2/worker\", \"instances\": 1}");
            Thread.sleep(1000);
            assertEquals(Arrays.asList("10.9.9.9:5701", "127.0.0.1:25711"), join.getTcpIpConfig().getMembers());
        } finally {
            live.close();
        }
    }

    @Test
    public void initAgainFollowsTheNewConfigurationOnly() throws Exception {
        Workbench live = new Workbench("hazelcast-live.json");
        try {
            Config config = new Config();
            Map<String, Parameter> parameters = parameters("MARATHON_ENDPOINT", live.url(),
                    "MARATHON_APPLICATIONS", "/wso2/manager,/wso2/worker");
            MesosMembershipScheme s = scheme(config, parameters);
            s.init();
            JoinConfig join = config.getNetworkConfig().getJoin();
            assertEquals(Arrays.asList("127.0.0.1:25711", "127.0.0.1:25712"), join.getTcpIpConfig().getMembers());
            MembershipWatcher first = s.getWatcher();

            parameters.put("MARATHON_APPLICATIONS", new Parameter("MARATHON_APPLICATIONS", "/wso2/manager"));
            s.init();
            assertTrue("the first watcher is closed once replaced", first.isClosed());
            assertEquals("the worker the scheme added is gone with the app it no longer follows",
                    Arrays.asList("127.0.0.1:25711"), join.getTcpIpConfig().getMembers());

            // Only the new watcher moves the join list: a new worker is not added, a new manager is.
            live.admin("/_workbench/tasks", "{\"app\": \"/wso2/worker\", \"task\": {\"agent\": \"127.0.0.1\", \"ports\": [25718]}}");
            live.admin("/_workbench/tasks", "{\"app\": \"/wso2/manager\", \"task\": {\"agent\": \"127.0.0.1\", \"ports\": [25719]}}");
            awaitMembers(join, Arrays.asList("127.0.0.1:25711", "127.0.0.1:25719"));
            Thread.sleep(500);
            assertEquals(Arrays.asList("127.0.0.1:25711", "127.0.0.1:25719"), join.getTcpIpConfig().getMembers());
        } finally {
            live.close();
        }
    }

    private static void awaitMembers(JoinConfig join, List<String> expected) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 20000;
        while (!join.getTcpIpConfig().getMembers().equals(expected) && System.currentTimeMillis() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(expected, join.getTcpIpConfig().getMembers());
    }

    @Test
    public void joinGroupNeedsTheHazelcastInstance() throws Exception {
        MesosMembershipScheme s = scheme(new Config(), parameters());
        try {
            s.joinGroup();
            fail();
        } catch (ClusteringFault e) {
            assertTrue(e.getMessage(), e.getMessage().contains("Hazelcast instance"));
        }
        assertNull(s.getLocalMember());
        try {
            new MesosMembershipScheme(parameters(), "d", null, null, null).init();
            fail();
        } catch (ClusteringFault e) {
            assertTrue(e.getMessage(), e.getMessage().contains("Hazelcast configuration"));
        }
    }
}
