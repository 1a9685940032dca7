package org.wso2.carbon.clustering.mesos;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.wso2.carbon.clustering.mesos.internal.Native;

/**
 * Runs every kind of native call once (success, each error kind, a panic, bad ids, nulls,
 * discovery against the workbench URL given as the argument) in a JVM started with
 * {@code -Xcheck:jni} by {@link JniCheckTest}. Exit 0 when every call behaved.
 */
public final class JniExercise {

    private JniExercise() {
    }

    public static void main(String[] args) throws Exception {
        String workbench = args[0];
        check(MesosDiscovery.nativeVersion().length() > 0, "version");
        check(MesosDiscovery.knownKeys().size() > 10, "known keys");
        for (String kind : new String[] {"invalid_argument", "config", "network", "timeout", "auth", "not_found",
            "protocol", "unavailable", "zookeeper", "closed", "internal", "panic", "bogus"}) {
            try {
                Native.failForTest(kind, "x");
                check(false, kind);
            } catch (MesosDiscoveryException expected) {
                // each kind throws
            }
        }
        try {
            Native.discovererOpen(null, null);
            check(false, "null arrays");
        } catch (MesosInvalidArgumentException expected) {
            // thrown
        }
        try {
            Native.discovererDiscover(-5);
            check(false, "bad id");
        } catch (MesosClosedException expected) {
            // thrown
        }
        Map<String, String> config = new HashMap<String, String>();
        config.put("MARATHON_ENDPOINT", workbench);
        config.put("MARATHON_APPLICATIONS", "/wso2/manager,/wso2/worker,/missing");
        for (int i = 0; i < 3; i++) {
            DiscoveryResult result = MesosDiscovery.discover(config);
            check(result.getMembers().size() == 3, "members " + result);
            check(result.getWarnings().size() == 1, "warnings " + result);
        }
        config.put("MESOS_MEMBER_DISCOVERY_SCHEME", "MesosDNS");
        config.put("MESOS_DNS_ENDPOINT", workbench);
        config.put("MARATHON_APPLICATIONS", "/wso2/manager,/wso2/worker");
        check(MesosDiscovery.members(config).size() == 3, "mesos-dns members");
        try {
            MesosDiscovery.leader("zk://127.0.0.1:1/mesos", 500);
            check(false, "zk timeout");
        } catch (MesosDiscoveryException expected) {
            // thrown
        }
        Map<String, String> live = new HashMap<String, String>();
        live.put("MARATHON_ENDPOINT", workbench);
        live.put("MARATHON_APPLICATIONS", "/wso2/manager,/wso2/worker");
        MembershipWatcher members = MembershipWatcher.startAfterDiscovery(live);
        MembershipSnapshot snapshot = members.snapshot();
        check(snapshot.getMembers().size() == 3 && snapshot.getGeneration() == 1, "watched members " + snapshot);
        final CountDownLatch told = new CountDownLatch(1);
        members.addListener(new MesosMembershipListener() {
            @Override
            public void membersChanged(List<MesosMember> added, List<MesosMember> removed) {
                if (added.size() == 3) {
                    told.countDown();
                }
            }
        });
        check(told.await(10, TimeUnit.SECONDS), "membership listener");
        check(members.awaitChange(1, 100) == null, "await timeout");
        members.close();
        try {
            members.snapshot();
            check(false, "closed membership watcher");
        } catch (MesosClosedException expected) {
            // thrown
        }
        MembershipWatcher async = new MembershipWatcher(live);
        check(async.awaitChange(0, 10000) != null, "first discovery");
        async.close();
        try {
            Native.memberWatcherOpen(null, null, false);
            check(false, "null arrays (watcher)");
        } catch (MesosInvalidArgumentException expected) {
            // thrown
        }
        try {
            Native.memberWatcherWaitForChange(-5, 0, 10);
            check(false, "bad watcher id");
        } catch (MesosClosedException expected) {
            // thrown
        }
        LeaderWatcher watcher = MesosDiscovery.watchLeader("zk://127.0.0.1:1/mesos", 0, null);
        check(watcher.current().getLeader() == null, "no leader");
        watcher.close();
        System.out.println("JNI exercise done");
    }

    private static void check(boolean ok, String what) {
        if (!ok) {
            throw new AssertionError("failed: " + what);
        }
    }
}
