package org.wso2.carbon.clustering.mesos;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.hazelcast.config.Config;
import com.hazelcast.config.TcpIpConfig;
import org.apache.axis2.clustering.ClusteringMessage;
import org.apache.commons.logging.LogFactory;
import org.junit.After;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.Timeout;
import org.wso2.carbon.clustering.mesos.support.RecordingLog;
import org.wso2.carbon.clustering.mesos.support.Workbench;

/**
 * A Hazelcast whose running join list refuses a live change (none of 3.5–5.3 does, but a
 * read-only or validating configuration could): the list is left as it was, the refusal is
 * logged with its reason, and nothing is thrown into the watcher's thread, Carbon or
 * Hazelcast; the watcher keeps going.
 */
public class RefusedJoinListTest {

    @Rule
    public Timeout timeout = Timeout.seconds(60);

    private Workbench workbench;
    private MembershipSchemeCore core;

    @After
    public void stop() {
        if (core != null) {
            core.close();
        }
        if (workbench != null) {
            workbench.close();
        }
    }

    /** A join list that takes the member and then rejects the change, as a validating config would. */
    static final class RefusingTcpIpConfig extends TcpIpConfig {
        private final List<String> members = new ArrayList<String>();

        RefusingTcpIpConfig(List<String> initial) {
            members.addAll(initial);
        }

        @Override
        public List<String> getMembers() {
            return members;
        }

        @Override
        public TcpIpConfig addMember(String member) {
            members.add(member);
            throw new UnsupportedOperationException("this join list is read-only while the instance runs");
        }

        @Override
        public TcpIpConfig setMembers(List<String> newMembers) {
            members.clear();
            members.addAll(newMembers);
            return this;
        }
    }

    @Test
    public void aRefusedLiveUpdateLeavesTheListAndIsLoggedNotThrown() throws Exception {
        workbench = new Workbench("hazelcast-local.json");
        Config config = new Config();
        core = new MembershipSchemeCore(MesosMembershipSchemeTest.parameters("MARATHON_ENDPOINT", workbench.url(),
                "MARATHON_APPLICATIONS", "/wso2/manager,/wso2/worker"), "wso2.carbon.domain", config,
                new ArrayList<ClusteringMessage>(), LogFactory.getLog(MesosMembershipScheme.class));
        core.init();
        List<String> seeded = Arrays.asList("127.0.0.1:25701", "127.0.0.1:25702", "127.0.0.1:25703");
        assertEquals(seeded, config.getNetworkConfig().getJoin().getTcpIpConfig().getMembers());

        final RefusingTcpIpConfig running = new RefusingTcpIpConfig(seeded);
        core.attach(new RunningHazelcast() {
            @Override
            public TcpIpConfig tcpIpConfig() {
                return running;
            }

            @Override
            public Collection<InetSocketAddress> memberAddresses() {
                return new ArrayList<InetSocketAddress>();
            }
        });
        RecordingLog.clear();
        workbench.admin("/_workbench/tasks",
                "{\"app\": \"/wso2/worker\", \"task\": {\"agent\": \"127.0.0.1\", \"ports\": [25709]}}");

        String refusal = awaitRecord("Hazelcast refused the update of its TCP/IP join list", 20);
        assertTrue(refusal, refusal.startsWith("WARN "));
        assertTrue(refusal, refusal.contains("read-only while the instance runs"));
        assertTrue(refusal, refusal.contains("the list stays as it was"));
        assertEquals("the refused change was undone", seeded, running.getMembers());
        assertTrue("the watcher lives on", core.getWatcher() != null && !core.getWatcher().isClosed());
        assertTrue("the change reached the watcher", core.getWatcher().snapshot().getGeneration() >= 2);
    }

    private static String awaitRecord(String text, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            for (String record : RecordingLog.records()) {
                if (record.contains(text)) {
                    return record;
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no log record with \"" + text + "\" in " + RecordingLog.records());
    }
}
