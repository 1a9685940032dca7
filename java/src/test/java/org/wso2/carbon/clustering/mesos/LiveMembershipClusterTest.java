package org.wso2.carbon.clustering.mesos;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.wso2.carbon.clustering.mesos.support.HazelcastSupport.assertPortFree;
import static org.wso2.carbon.clustering.mesos.support.HazelcastSupport.awaitClusterSize;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.hazelcast.config.Config;
import com.hazelcast.config.NetworkConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import org.apache.axis2.clustering.ClusteringMessage;
import org.apache.axis2.description.Parameter;
import org.junit.After;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.Timeout;
import org.wso2.carbon.clustering.mesos.internal.Native;
import org.wso2.carbon.clustering.mesos.support.Workbench;

/**
 * Live membership with real Hazelcast 3.12 members on loopback: the scheme's watcher puts
 * members that appear in Marathon after start-up into the running instances' TCP/IP join list,
 * takes out the ones that went (only once Hazelcast no longer has them), and running members
 * merge with a cluster they learn about only through that live list.
 */
public class LiveMembershipClusterTest {

    @Rule
    public Timeout timeout = Timeout.seconds(150);

    private Workbench workbench;
    private final List<HazelcastInstance> instances = Collections.synchronizedList(new ArrayList<HazelcastInstance>());
    private final List<MesosMembershipScheme> schemes = Collections.synchronizedList(new ArrayList<MesosMembershipScheme>());
    private int handlesBefore;

    @After
    public void shutdown() {
        for (HazelcastInstance instance : instances) {
            instance.getLifecycleService().terminate();
        }
        for (MesosMembershipScheme scheme : schemes) {
            scheme.close();
        }
        if (workbench != null) {
            workbench.close();
        }
    }

    /**
     * Two members form a cluster; a third task appears in Marathon afterwards. The running
     * members' watchers add it to their live join lists before it even starts; it then joins
     * through its own init() (which finds all three) and the others accept it. Then its task is
     * killed while it still runs: the others keep its address (Hazelcast still has it) until it
     * shuts down, and only then take it out.
     */
    @Test
    public void aMemberAddedLaterIsAddedToTheRunningMembersAndRemovedOnceGone() throws Exception {
        handlesBefore = Native.openHandles();
        workbench = new Workbench("hazelcast-live.json");
        String group = "mesos-live-add";
        startTogether(group, 25711, 25712);
        for (HazelcastInstance instance : instances) {
            awaitClusterSize(instance, 2, 60);
        }
        HazelcastInstance a = instances.get(0);
        HazelcastInstance b = instances.get(1);
        assertFalse(joinList(a).contains("127.0.0.1:25713"));

        String taskId = addTask("/wso2/worker", 25713);
        awaitInJoinList(a, "127.0.0.1:25713", true, 20);
        awaitInJoinList(b, "127.0.0.1:25713", true, 20);

        HazelcastInstance c = startMember(group, 25713);
        instances.add(c);
        assertEquals("the new member's own init() found all three",
                3, joinList(c).size());
        for (HazelcastInstance instance : instances) {
            awaitClusterSize(instance, 3, 60);
        }

        // Marathon kills the task but the node still runs: Hazelcast still has it, so the
        // address stays in the join list (a split cluster could still find it).
        workbench.admin("/_workbench/tasks/kill", "{\"task_id\": \"" + taskId + "\", \"scale\": true}");
        awaitWatcherLacks(schemes.get(0), 25713, 20);
        awaitWatcherLacks(schemes.get(1), 25713, 20);
        Thread.sleep(1000);
        assertTrue("kept while Hazelcast still has the member", joinList(a).contains("127.0.0.1:25713"));
        assertTrue("kept while Hazelcast still has the member", joinList(b).contains("127.0.0.1:25713"));

        c.getLifecycleService().shutdown();
        instances.remove(c);
        assertTrue("the scheme's watcher closed with its instance", schemes.get(2).getWatcher() == null);
        for (HazelcastInstance instance : instances) {
            awaitClusterSize(instance, 2, 60);
        }
        awaitInJoinList(a, "127.0.0.1:25713", false, 20);
        awaitInJoinList(b, "127.0.0.1:25713", false, 20);
        assertTrue(joinList(a).contains("127.0.0.1:25711"));
        assertTrue(joinList(a).contains("127.0.0.1:25712"));

        for (HazelcastInstance instance : instances) {
            instance.getLifecycleService().shutdown();
        }
        instances.clear();
        assertEquals("every watcher closed with its Hazelcast instance", handlesBefore, Native.openHandles());
    }

    /**
     * Hazelcast 3.12 uses join-list entries added to a running instance: a member started alone
     * (it found only itself) learns of a two-member cluster only through its live list, and its
     * split-brain handler merges it into that cluster (the smaller side merges, so it is the one
     * that must know the other's address).
     */
    @Test
    public void aLoneMemberMergesWithAClusterItLearnsOfLater() throws Exception {
        workbench = new Workbench("hazelcast-merge.json");
        String group = "mesos-live-merge";
        HazelcastInstance lone = startMember(group, 25721);
        instances.add(lone);
        assertEquals(Collections.singletonList("127.0.0.1:25721"), joinList(lone));

        // Two members the Mesos scheme does not know yet: they found each other by a fixed list.
        List<HazelcastInstance> pair = new ArrayList<HazelcastInstance>();
        for (int port : new int[] {25722, 25723}) {
            Config config = baseConfig(group, port);
            config.getNetworkConfig().getJoin().getMulticastConfig().setEnabled(false);
            config.getNetworkConfig().getJoin().getTcpIpConfig().setEnabled(true)
                    .addMember("127.0.0.1:25722").addMember("127.0.0.1:25723");
            pair.add(Hazelcast.newHazelcastInstance(config));
        }
        instances.addAll(pair);
        awaitClusterSize(pair.get(0), 2, 60);
        assertEquals(1, lone.getCluster().getMembers().size());

        addTask("/wso2/worker", 25722);
        addTask("/wso2/worker", 25723);
        awaitInJoinList(lone, "127.0.0.1:25722", true, 20);
        awaitInJoinList(lone, "127.0.0.1:25723", true, 20);
        for (HazelcastInstance instance : instances) {
            awaitClusterSize(instance, 3, 90);
        }
    }

    private void startTogether(final String group, int... ports) throws Exception {
        List<Callable<HazelcastInstance>> starts = new ArrayList<Callable<HazelcastInstance>>();
        for (final int port : ports) {
            starts.add(new Callable<HazelcastInstance>() {
                @Override
                public HazelcastInstance call() throws Exception {
                    return startMember(group, port);
                }
            });
        }
        ExecutorService pool = Executors.newFixedThreadPool(ports.length);
        try {
            for (Future<HazelcastInstance> f : pool.invokeAll(starts)) {
                instances.add(f.get());
            }
        } finally {
            pool.shutdown();
        }
    }

    private String addTask(String app, int port) throws IOException {
        String body = workbench.admin("/_workbench/tasks",
                "{\"app\": \"" + app + "\", \"task\": {\"agent\": \"127.0.0.1\", \"ports\": [" + port + "]}}");
        Matcher m = Pattern.compile("\"task_id\"\\s*:\\s*\"([^\"]+)\"").matcher(body);
        assertTrue(body, m.find());
        return m.group(1);
    }

    private static Config baseConfig(String group, int port) throws IOException {
        assertPortFree(port);
        Config config = new Config();
        config.setInstanceName(group + "-" + port);
        config.getGroupConfig().setName(group);
        config.setProperty("hazelcast.phone.home.enabled", "false");
        config.setProperty("hazelcast.logging.type", "jdk");
        config.setProperty("hazelcast.local.localAddress", "127.0.0.1");
        config.setProperty("hazelcast.socket.bind.any", "false");
        config.setProperty("hazelcast.wait.seconds.before.join", "1");
        config.setProperty("hazelcast.merge.first.run.delay.seconds", "5");
        config.setProperty("hazelcast.merge.next.run.delay.seconds", "5");
        NetworkConfig network = config.getNetworkConfig();
        network.setPort(port);
        network.setPortAutoIncrement(false);
        network.getInterfaces().setEnabled(true).addInterface("127.0.0.1");
        network.getJoin().getTcpIpConfig().setConnectionTimeoutSeconds(2);
        return config;
    }

    /** Carbon's order: construct, init(), create the instance, hand it over, joinGroup(). */
    private HazelcastInstance startMember(String group, int port) throws Exception {
        Config config = baseConfig(group, port);
        Map<String, Parameter> parameters = MesosMembershipSchemeTest.parameters(
                "MARATHON_ENDPOINT", workbench.url(),
                "MARATHON_APPLICATIONS", "/wso2/manager,/wso2/worker");
        MesosMembershipScheme membership = new MesosMembershipScheme(parameters, "wso2.carbon.domain", config,
                null, new ArrayList<ClusteringMessage>());
        schemes.add(membership);
        membership.init();
        HazelcastInstance instance = Hazelcast.newHazelcastInstance(config);
        membership.setPrimaryHazelcastInstance(instance);
        membership.setCarbonCluster(new HazelcastClusterTest.RecordingCarbonCluster());
        membership.setLocalMember(instance.getCluster().getLocalMember());
        membership.joinGroup();
        return instance;
    }

    /** The running instance's live TCP/IP join list. */
    private static List<String> joinList(HazelcastInstance instance) {
        return new ArrayList<String>(instance.getConfig().getNetworkConfig().getJoin().getTcpIpConfig().getMembers());
    }

    private static void awaitInJoinList(HazelcastInstance instance, String hostPort, boolean present, int seconds)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (joinList(instance).contains(hostPort) != present && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(instance.getName() + " join list " + joinList(instance), present,
                joinList(instance).contains(hostPort));
    }

    private static void awaitWatcherLacks(MesosMembershipScheme scheme, int port, int seconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (true) {
            boolean has = false;
            for (MesosMember m : scheme.getWatcher().snapshot().getMembers()) {
                has |= m.getPort() == port;
            }
            if (!has) {
                return;
            }
            assertTrue("the watcher still lists port " + port, System.nanoTime() < deadline);
            Thread.sleep(20);
        }
    }
}
