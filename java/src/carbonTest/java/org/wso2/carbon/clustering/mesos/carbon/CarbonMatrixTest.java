package org.wso2.carbon.clustering.mesos.carbon;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.axis2.clustering.ClusteringCommand;
import org.apache.axis2.clustering.ClusteringMessage;
import org.apache.axis2.context.ConfigurationContext;
import org.apache.axis2.description.Parameter;
import org.junit.After;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.Timeout;
import org.junit.runner.RunWith;
import org.junit.runners.Parameterized;
import org.wso2.carbon.clustering.mesos.support.Workbench;

/**
 * The JAR's scheme variants against real Hazelcast from Maven Central, one Hazelcast version
 * per JVM (gradle/carbon.gradle: carbonMatrixHazelcast*), driven the way Carbon's
 * HazelcastClusteringAgent drives a scheme ({@link CarbonAgent}). Members come from the
 * workbench's Marathon: three form a cluster; a fourth task appears later and the running
 * members put it into their live join lists; it starts, joins, is forwarded to every running
 * member's Carbon cluster and gets their buffered messages replayed; a member that leaves is
 * forwarded as gone.
 */
@RunWith(Parameterized.class)
public class CarbonMatrixTest {

    private static final String HAZELCAST = System.getProperty("carbon.matrix.hazelcast", "?");

    @Parameterized.Parameters(name = "Hazelcast {0}, variant {1} ({2})")
    public static Collection<Object[]> combinations() {
        List<Object[]> out = new ArrayList<Object[]>();
        for (String v : System.getProperty("carbon.matrix.variants", "").split(",")) {
            if (v.trim().length() > 0) {
                CarbonVariant variant = CarbonVariant.valueOf(v.trim());
                out.add(new Object[] {HAZELCAST, variant, variant.kernels});
            }
        }
        return out;
    }

    @Rule
    public Timeout timeout = Timeout.seconds(240);

    private final CarbonVariant variant;
    private final int basePort;
    private Workbench workbench;
    private final List<CarbonAgent> agents = Collections.synchronizedList(new ArrayList<CarbonAgent>());

    public CarbonMatrixTest(String hazelcast, CarbonVariant variant, String kernels) {
        this.variant = variant;
        // Ports apart per combination, so a JVM that runs two never reuses one.
        List<String> versions = Arrays.asList("3.5.5", "3.12.13", "4.2.8", "5.3.8");
        this.basePort = 25740 + 30 * Math.max(0, versions.indexOf(hazelcast)) + 10 * variant.ordinal();
    }

    @After
    public void shutdown() {
        for (CarbonAgent agent : agents) {
            agent.terminate();
        }
        if (workbench != null) {
            workbench.close();
        }
    }

    @Test
    public void membersFormJoinLaterLeaveAndGetReplayedMessages() throws Exception {
        workbench = new Workbench("carbon-matrix.json");
        final String cluster = "mesos-matrix-" + HAZELCAST + "-" + variant;
        final int[] ports = {basePort + 1, basePort + 2, basePort + 3, basePort + 4};
        for (int port : ports) {
            assertPortFree(port);
        }
        addTask("/wso2/manager", ports[0]);
        addTask("/wso2/worker", ports[1]);
        final String leavingTask = addTask("/wso2/worker", ports[2]);

        // Three Carbon nodes start together.
        List<Callable<CarbonAgent>> starts = new ArrayList<Callable<CarbonAgent>>();
        for (int i = 0; i < 3; i++) {
            final int port = ports[i];
            starts.add(new Callable<CarbonAgent>() {
                @Override
                public CarbonAgent call() throws Exception {
                    return start(cluster, port);
                }
            });
        }
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            for (Future<CarbonAgent> f : pool.invokeAll(starts)) {
                agents.add(f.get());
            }
        } finally {
            pool.shutdown();
        }
        for (CarbonAgent agent : agents) {
            awaitClusterSize(agent, 3, 90);
        }

        // A fourth task appears in Marathon: the running members add it to their live lists.
        String late = "127.0.0.1:" + ports[3];
        addTask("/wso2/worker", ports[3]);
        for (CarbonAgent agent : agents) {
            awaitJoinListHas(agent, late, 30);
        }
        CarbonAgent fourth = start(cluster, ports[3]);
        List<CarbonAgent> running = new ArrayList<CarbonAgent>(agents);
        agents.add(fourth);
        assertEquals("the new member's init() found all four", 4, fourth.joinList().size());
        for (CarbonAgent agent : agents) {
            awaitClusterSize(agent, 4, 90);
        }
        for (CarbonAgent agent : running) {
            awaitCarbon(agent, "told Carbon the fourth member joined", ports[3], 0, 30);
            awaitReplay(agent, ports[3], 40);
        }

        // Marathon kills the third member's task while the node still runs: the others keep
        // its address (Hazelcast still has it); once it stops they tell Carbon it left and
        // take the address out; its own scheme closed with its instance.
        workbench.admin("/_workbench/tasks/kill", "{\"task_id\": \"" + leavingTask + "\", \"scale\": true}");
        CarbonAgent leaving = running.get(2);
        String leavingAddress = "127.0.0.1:" + ports[2];
        for (CarbonAgent agent : agents) {
            if (agent != leaving) {
                awaitWatcherLacks(agent, ports[2], 30);
            }
        }
        Thread.sleep(1000);
        for (CarbonAgent agent : agents) {
            if (agent != leaving) {
                assertTrue(agent + " keeps " + leavingAddress + " while Hazelcast has it",
                        agent.joinList().contains(leavingAddress));
            }
        }
        leaving.shutdown();
        agents.remove(leaving);
        assertTrue("the leaving member's scheme closed with its instance", leaving.watcher() == null);
        for (CarbonAgent agent : agents) {
            awaitClusterSize(agent, 3, 90);
            awaitCarbon(agent, "told Carbon the third member left", ports[2], 1, 30);
            awaitJoinListLacks(agent, leavingAddress, 30);
        }
        System.out.println("Carbon matrix: Hazelcast " + HAZELCAST + " × variant " + variant + " (" + variant.kernels
                + ", " + variant.schemeClass + "): formed 3, joined 1 later, replayed, kept then removed a leaver, forwarded it");
    }

    private CarbonAgent start(String cluster, int port) throws Exception {
        Map<String, Parameter> parameters = new HashMap<String, Parameter>();
        // Carbon's own clustering parameters beside the scheme's (axis2.xml / deployment.toml).
        parameters.put("membershipScheme", new Parameter("membershipScheme", "mesos"));
        parameters.put("membershipSchemeClassName", new Parameter("membershipSchemeClassName", variant.schemeClass));
        parameters.put("domain", new Parameter("domain", "wso2.carbon.domain"));
        parameters.put("localMemberPort", new Parameter("localMemberPort", String.valueOf(port)));
        parameters.put("MARATHON_ENDPOINT", new Parameter("MARATHON_ENDPOINT", workbench.url()));
        parameters.put("MARATHON_APPLICATIONS", new Parameter("MARATHON_APPLICATIONS", "/wso2/manager,/wso2/worker"));
        List<ClusteringMessage> buffer = new ArrayList<ClusteringMessage>();
        buffer.add(new BufferedMessage("registry-update from " + port));
        buffer.add(new BufferedMessage("cache-invalidation from " + port));
        return CarbonAgent.start(variant, cluster, port, parameters, buffer);
    }

    private static void assertPortFree(int port) throws IOException {
        ServerSocket socket = new ServerSocket();
        try {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress("127.0.0.1", port));
        } catch (IOException e) {
            throw new AssertionError("port " + port + " (the matrix's) is busy: " + e);
        } finally {
            socket.close();
        }
    }

    private String addTask(String app, int port) throws IOException {
        String body = workbench.admin("/_workbench/tasks",
                "{\"app\": \"" + app + "\", \"task\": {\"agent\": \"127.0.0.1\", \"ports\": [" + port + "]}}");
        Matcher m = Pattern.compile("\"task_id\"\\s*:\\s*\"([^\"]+)\"").matcher(body);
        assertTrue(body, m.find());
        return m.group(1);
    }

    private static void awaitClusterSize(CarbonAgent agent, int size, int seconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (agent.clusterSize() != size && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertEquals(agent + " cluster size", size, agent.clusterSize());
    }

    private static void awaitJoinListHas(CarbonAgent agent, String hostPort, int seconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!agent.joinList().contains(hostPort) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertTrue(agent + " join list " + agent.joinList() + " has " + hostPort, agent.joinList().contains(hostPort));
    }

    private static void awaitJoinListLacks(CarbonAgent agent, String hostPort, int seconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (agent.joinList().contains(hostPort) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertFalse(agent + " join list " + agent.joinList() + " still has " + hostPort,
                agent.joinList().contains(hostPort));
    }

    /** Waits until the agent's scheme's watcher no longer lists a member at {@code port}. */
    private static void awaitWatcherLacks(CarbonAgent agent, int port, int seconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (agent.watcherPorts().contains(port)) {
            assertTrue(agent + "'s watcher still lists port " + port, System.nanoTime() < deadline);
            Thread.sleep(50);
        }
    }

    /** Waits until Carbon's cluster stub was told of the member at {@code port}: 0 joined, 1 left. */
    private static void awaitCarbon(CarbonAgent agent, String what, int port, int kind, int seconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (true) {
            List<InetSocketAddress> told = kind == 0 ? agent.carbonJoined() : agent.carbonLeft();
            for (InetSocketAddress a : told) {
                if (a.getPort() == port) {
                    return;
                }
            }
            assertTrue(agent + " " + what + " (it was told " + told + ")", System.nanoTime() < deadline);
            Thread.sleep(100);
        }
    }

    /** Waits until the agent's scheme replayed its whole buffer to the member at {@code port}. */
    private static void awaitReplay(CarbonAgent agent, int port, int seconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (true) {
            for (Object[] replay : agent.carbonReplays()) {
                if (((InetSocketAddress) replay[0]).getPort() == port) {
                    assertEquals(agent + " replayed its buffer", agent.messageBuffer, replay[1]);
                    return;
                }
            }
            assertTrue(agent + " replayed its buffered messages to the member at port " + port,
                    System.nanoTime() < deadline);
            Thread.sleep(200);
        }
    }

    /** A cluster message Carbon buffered for members that join later. */
    static final class BufferedMessage extends ClusteringMessage {
        private static final long serialVersionUID = 1L;
        private final String text;

        BufferedMessage(String text) {
            this.text = text;
        }

        @Override
        public ClusteringCommand getResponse() {
            return null;
        }

        @Override
        public void execute(ConfigurationContext configurationContext) {
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof BufferedMessage && ((BufferedMessage) o).text.equals(text);
        }

        @Override
        public int hashCode() {
            return text.hashCode();
        }

        @Override
        public String toString() {
            return text;
        }
    }
}
