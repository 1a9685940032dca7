package org.wso2.carbon.clustering.mesos;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.wso2.carbon.clustering.mesos.support.HazelcastSupport.assertPortFree;
import static org.wso2.carbon.clustering.mesos.support.HazelcastSupport.awaitClusterSize;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import com.hazelcast.config.Config;
import com.hazelcast.config.NetworkConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.Member;
import org.apache.axis2.clustering.ClusteringMessage;
import org.apache.axis2.description.Parameter;
import org.junit.After;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.Timeout;
import org.wso2.carbon.clustering.mesos.support.Workbench;
import org.wso2.carbon.core.clustering.hazelcast.HazelcastCarbonClusterImpl;

/**
 * A real cluster: three Hazelcast 3.12 members on loopback, each configured only through
 * {@link MesosMembershipScheme#init()} from a workbench that lists them as tasks of two
 * Marathon apps (tests/clusters/hazelcast-local.json), driven the way Carbon drives a scheme.
 */
public class HazelcastClusterTest {

    private static final int[] PORTS = {25701, 25702, 25703};

    @Rule
    public Timeout timeout = Timeout.seconds(180);

    private static Workbench workbench;
    private final List<HazelcastInstance> instances = Collections.synchronizedList(new ArrayList<HazelcastInstance>());

    @BeforeClass
    public static void start() throws Exception {
        workbench = new Workbench("hazelcast-local.json");
    }

    @AfterClass
    public static void stop() {
        if (workbench != null) {
            workbench.close();
        }
    }

    @After
    public void shutdown() {
        for (HazelcastInstance instance : instances) {
            instance.getLifecycleService().terminate();
        }
    }

    /** What Carbon's cluster is told by the scheme's membership listener. */
    static final class RecordingCarbonCluster extends HazelcastCarbonClusterImpl {
        final List<String> added = Collections.synchronizedList(new ArrayList<String>());
        final List<String> removed = Collections.synchronizedList(new ArrayList<String>());

        @Override
        public void memberAdded(Member member) {
            added.add(member.getUuid());
        }

        @Override
        public void memberRemoved(Member member) {
            removed.add(member.getUuid());
        }
    }

    @Test
    public void threeMembersFormOneClusterThroughMarathon() throws Exception {
        formCluster("Marathon");
    }

    @Test
    public void threeMembersFormOneClusterThroughMesosDns() throws Exception {
        formCluster("MesosDNS");
    }

    private void formCluster(final String scheme) throws Exception {
        for (int port : PORTS) {
            assertPortFree(port);
        }
        final List<RecordingCarbonCluster> carbon = new ArrayList<RecordingCarbonCluster>();
        List<Callable<HazelcastInstance>> starts = new ArrayList<Callable<HazelcastInstance>>();
        for (final int port : PORTS) {
            final RecordingCarbonCluster cluster = new RecordingCarbonCluster();
            carbon.add(cluster);
            starts.add(new Callable<HazelcastInstance>() {
                @Override
                public HazelcastInstance call() throws Exception {
                    return startMember(scheme, port, cluster);
                }
            });
        }
        // Started together, as Marathon starts an app's tasks.
        ExecutorService pool = Executors.newFixedThreadPool(PORTS.length);
        try {
            for (Future<HazelcastInstance> f : pool.invokeAll(starts)) {
                instances.add(f.get());
            }
        } finally {
            pool.shutdown();
        }
        for (HazelcastInstance instance : instances) {
            awaitClusterSize(instance, 3, 60);
        }
        for (HazelcastInstance instance : instances) {
            assertEquals(3, instance.getCluster().getMembers().size());
        }

        // One member leaves: the others' Carbon clusters are told, through the scheme's listener.
        HazelcastInstance leaving = instances.get(2);
        String leavingUuid = leaving.getCluster().getLocalMember().getUuid();
        leaving.getLifecycleService().shutdown();
        instances.remove(2);
        for (int i = 0; i < 2; i++) {
            awaitClusterSize(instances.get(i), 2, 60);
            long deadline = System.currentTimeMillis() + 10000;
            while (!carbon.get(i).removed.contains(leavingUuid) && System.currentTimeMillis() < deadline) {
                Thread.sleep(50);
            }
            assertTrue("member " + i + " told Carbon the member left", carbon.get(i).removed.contains(leavingUuid));
        }
    }

    private static HazelcastInstance startMember(String scheme, int port, RecordingCarbonCluster carbon)
            throws Exception {
        Config config = new Config();
        config.setInstanceName("mesos-" + scheme + "-" + port);
        config.getGroupConfig().setName("mesos-test-" + scheme);
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

        Map<String, Parameter> parameters = MesosMembershipSchemeTest.parameters(
                "MESOS_MEMBER_DISCOVERY_SCHEME", scheme,
                "MARATHON_ENDPOINT", workbench.url(),
                "MESOS_DNS_ENDPOINT", workbench.url(),
                "MARATHON_APPLICATIONS", "/wso2/manager,/wso2/worker");
        // Carbon's order: construct, init() (before the instance exists), create the instance,
        // hand it over, then joinGroup().
        MesosMembershipScheme membership = new MesosMembershipScheme(parameters, "wso2.carbon.domain", config,
                null, new ArrayList<ClusteringMessage>());
        membership.init();
        HazelcastInstance instance = Hazelcast.newHazelcastInstance(config);
        membership.setPrimaryHazelcastInstance(instance);
        membership.setCarbonCluster(carbon);
        membership.setLocalMember(instance.getCluster().getLocalMember());
        membership.joinGroup();
        return instance;
    }
}
