package org.wso2.carbon.clustering.mesos;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.Timeout;
import org.wso2.carbon.clustering.mesos.support.Workbench;

/** The public Java API against the workbench (an emulated Marathon + Mesos-DNS). */
public class MemberDiscoveryTest {

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

    static List<String> hostPorts(List<MesosMember> members) {
        List<String> out = new ArrayList<String>();
        for (MesosMember m : members) {
            out.add(m.hostPort());
        }
        return out;
    }

    @Test
    public void marathonMembersAreExactlyTheRunningTasks() throws Exception {
        DiscoveryResult result = MesosDiscovery.discover(NativeBoundaryTest.map(
                "MARATHON_ENDPOINT", workbench.url(),
                "MARATHON_APPLICATIONS", "/wso2/manager,wso2/worker"));
        List<MesosMember> members = result.getMembers();
        assertEquals(Arrays.asList("127.0.0.1:25701", "127.0.0.1:25702", "127.0.0.1:25703"), hostPorts(members));
        assertEquals("/wso2/manager", members.get(0).getAppId());
        assertEquals("/wso2/worker", members.get(1).getAppId());
        assertEquals("/wso2/worker", members.get(2).getAppId());
        for (MesosMember m : members) {
            assertEquals("TASK_RUNNING", m.getState());
            assertTrue(m.getTaskId(), m.getTaskId().startsWith(m.getAppId().substring(1).replace('/', '_') + "."));
            assertNull(m.getHealthy());
        }
        assertTrue(result.getWarnings().toString(), result.getWarnings().isEmpty());
    }

    @Test
    public void mesosDnsMembersAreTheSameAddresses() throws Exception {
        List<MesosMember> members = MesosDiscovery.members(NativeBoundaryTest.map(
                "MESOS_MEMBER_DISCOVERY_SCHEME", "MesosDNS",
                "MESOS_DNS_ENDPOINT", workbench.url(),
                "MARATHON_APPLICATIONS", "/wso2/manager,/wso2/worker"));
        assertEquals(Arrays.asList("127.0.0.1:25701", "127.0.0.1:25702", "127.0.0.1:25703"), hostPorts(members));
        assertTrue(members.get(0).getTaskId(), members.get(0).getTaskId().startsWith("manager-wso2"));
    }

    @Test
    public void aMissingAppIsAWarningNotAFailure() throws Exception {
        DiscoveryResult result = MesosDiscovery.discover(NativeBoundaryTest.map(
                "MARATHON_ENDPOINT", workbench.url(),
                "MARATHON_APPLICATIONS", "/wso2/manager,/no/such-app"));
        assertEquals(Arrays.asList("127.0.0.1:25701"), hostPorts(result.getMembers()));
        assertEquals(1, result.getWarnings().size());
        assertTrue(result.getWarnings().get(0), result.getWarnings().get(0).contains("/no/such-app"));
    }

    @Test
    public void everyAppMissingIsNotFound() throws Exception {
        try {
            MesosDiscovery.members(NativeBoundaryTest.map(
                    "MARATHON_ENDPOINT", workbench.url(), "MARATHON_APPLICATIONS", "/no/such-app"));
            fail();
        } catch (MesosNotFoundException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("/no/such-app"));
        }
    }

    @Test
    public void aDiscovererSeesScaling() throws Exception {
        MemberDiscoverer discoverer = new MemberDiscoverer(NativeBoundaryTest.map(
                "MARATHON_ENDPOINT", workbench.url(), "MARATHON_APPLICATIONS", "/wso2/scaled"));
        try {
            workbench.admin("/_workbench/apps",
                    "{\"id\":\"/wso2/scaled\",\"instances\":0,\"ports\":[{\"name\":\"hazelcast\"}]}");
            assertTrue(discoverer.discover().getMembers().isEmpty());
            workbench.admin("/_workbench/scale",
                    "{\"app\":\"/wso2/scaled\",\"instances\":2,\"task\":{\"agent\":\"127.0.0.1\"}}");
            List<MesosMember> members = discoverer.discover().getMembers();
            assertEquals(members.toString(), 2, members.size());
            for (MesosMember m : members) {
                assertEquals("127.0.0.1", m.getHost());
                assertEquals("/wso2/scaled", m.getAppId());
            }
            workbench.admin("/_workbench/scale", "{\"app\":\"/wso2/scaled\",\"instances\":1}");
            assertEquals(1, discoverer.discover().getMembers().size());
        } finally {
            discoverer.close();
        }
    }

    @Test
    public void badConfigurationNamesTheKey() throws Exception {
        Object[][] cases = {
            {NativeBoundaryTest.map("MARATHON_APPLICATIONS", "a", "MARATHON_ENDPIONT", "http://x"), "MARATHON_ENDPIONT"},
            {NativeBoundaryTest.map("MARATHON_APPLICATIONS", "Bad_App"), "MARATHON_APPLICATIONS"},
            {NativeBoundaryTest.map("MARATHON_APPLICATIONS", "a", "MARATHON_ENDPOINT", "ftp://x"), "MARATHON_ENDPOINT"},
            {NativeBoundaryTest.map("MARATHON_APPLICATIONS", "a", "MESOS_MEMBER_DISCOVERY_SCHEME", "consul"),
                "MESOS_MEMBER_DISCOVERY_SCHEME"},
            {NativeBoundaryTest.map(), "MARATHON_APPLICATIONS"},
        };
        for (Object[] c : cases) {
            try {
                new MemberDiscoverer((Map<String, String>) c[0]).close();
                fail("accepted " + c[0]);
            } catch (MesosConfigException e) {
                assertTrue(e.getMessage(), e.getMessage().contains((String) c[1]));
            }
        }
    }

    @Test
    public void unreachableMarathonIsANetworkError() throws Exception {
        long started = System.currentTimeMillis();
        try {
            MesosDiscovery.members(NativeBoundaryTest.map(
                    "MARATHON_ENDPOINT", "http://127.0.0.1:1",
                    "MARATHON_APPLICATIONS", "/wso2/manager",
                    "MESOS_DISCOVERY_RETRIES", "1",
                    "MESOS_DISCOVERY_DEADLINE", "10"));
            fail();
        } catch (MesosNetworkException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("127.0.0.1:1"));
        }
        assertTrue(System.currentTimeMillis() - started < 15000);
    }

    @Test
    public void basicAuthWorksAndPasswordsNeverShow() throws Exception {
        List<MesosMember> members = MesosDiscovery.members(NativeBoundaryTest.map(
                "MARATHON_ENDPOINT", authWorkbench.url(), "MARATHON_APPLICATIONS", "/wso2/node",
                "ENABLE_MARATHON_BASIC_AUTH", "true", "MARATHON_USERNAME", "carbon",
                "MARATHON_PASSWORD", "s3cret pass"));
        assertEquals(1, members.size());
        try {
            MesosDiscovery.members(NativeBoundaryTest.map(
                    "MARATHON_ENDPOINT", authWorkbench.url(), "MARATHON_APPLICATIONS", "/wso2/node",
                    "ENABLE_MARATHON_BASIC_AUTH", "true", "MARATHON_USERNAME", "carbon",
                    "MARATHON_PASSWORD", "wrong-Pa55word"));
            fail();
        } catch (MesosAuthException e) {
            assertFalse(e.getMessage(), e.getMessage().contains("wrong-Pa55word"));
        }
        try {
            MesosDiscovery.members(NativeBoundaryTest.map(
                    "MARATHON_ENDPOINT", authWorkbench.url(), "MARATHON_APPLICATIONS", "/wso2/node"));
            fail();
        } catch (MesosAuthException e) {
            assertTrue(e.getMessage(), e.getMessage().length() > 0);
        }
    }
}
