package org.wso2.carbon.clustering.mesos;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import com.hazelcast.config.Config;
import com.hazelcast.config.TcpIpConfig;
import org.apache.axis2.clustering.ClusteringMessage;
import org.wso2.carbon.clustering.mesos.support.Workbench;

/**
 * Benchmark (not a test; tests/bench/java/run): how long from a Marathon scale-up (the
 * workbench's admin API) until the Carbon scheme's TCP/IP join list holds the new member.
 * Each round scales {@code /wso2/worker} from 1 to 2 instances (timed: from just before the
 * admin request until the list grew, checked every 50 µs) and back to 1 (not timed; waits
 * until the list shrank). The path measured: workbench event → Marathon event stream → the
 * core's 100 ms debounce → re-fetch of the app → publish → the Java listener thread wakes in
 * native code → the scheme adds the address.
 *
 * <p>Prints one table line and a final JSON line
 * {@code {"java_tcpip_p50_ms": …, "java_tcpip_p99_ms": …, "changes": N}}.
 */
public final class TcpIpLatencyBench {

    private static final long CHANGE_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(15);

    private TcpIpLatencyBench() {
    }

    public static void main(String[] args) throws Exception {
        int changes = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        int warmup = 10;
        Workbench workbench = new Workbench("hazelcast-live.json");
        MesosMembershipScheme scheme = null;
        try {
            Config config = new Config();
            scheme = new MesosMembershipScheme(MesosMembershipSchemeTest.parameters(
                    "MARATHON_ENDPOINT", workbench.url(),
                    "MARATHON_APPLICATIONS", "/wso2/manager,/wso2/worker"),
                    "bench", config, null, new ArrayList<ClusteringMessage>());
            scheme.init();
            TcpIpConfig tcpIp = config.getNetworkConfig().getJoin().getTcpIpConfig();
            int base = tcpIp.getMembers().size();
            if (base != 2) {
                throw new AssertionError("expected 2 members at start, got " + tcpIp.getMembers());
            }
            // Let the watcher's event stream attach before the first change.
            Thread.sleep(1000);
            double[] millis = new double[changes];
            for (int i = -warmup; i < changes; i++) {
                long start = System.nanoTime();
                scale(workbench, 2);
                long took = awaitSize(tcpIp, base + 1, start);
                if (i >= 0) {
                    millis[i] = took / 1e6;
                }
                scale(workbench, 1);
                awaitSize(tcpIp, base, System.nanoTime());
            }
            Arrays.sort(millis);
            double p50 = percentile(millis, 50);
            double p99 = percentile(millis, 99);
            System.out.println(String.format(Locale.ROOT,
                    "%-44s p50 %8.2f ms   p99 %8.2f ms   min %8.2f ms   max %8.2f ms   (%d changes)",
                    "java: workbench scale-up -> TcpIpConfig", p50, p99, millis[0], millis[changes - 1], changes));
            System.out.println(String.format(Locale.ROOT,
                    "{\"java_tcpip_p50_ms\": %.3f, \"java_tcpip_p99_ms\": %.3f, \"changes\": %d}", p50, p99, changes));
        } finally {
            if (scheme != null) {
                scheme.close();
            }
            workbench.close();
        }
    }

    private static void scale(Workbench workbench, int instances) throws Exception {
        workbench.admin("/_workbench/scale", "{\"app\": \"/wso2/worker\", \"instances\": " + instances
                + ", \"task\": {\"agent\": \"127.0.0.1\"}}");
    }

    /** Waits until the join list has {@code size} entries; nanoseconds since {@code start}. */
    private static long awaitSize(TcpIpConfig tcpIp, int size, long start) {
        while (true) {
            List<String> members = tcpIp.getMembers();
            long now = System.nanoTime();
            if (members.size() == size) {
                return now - start;
            }
            if (now - start > CHANGE_TIMEOUT_NANOS) {
                throw new AssertionError("the join list did not reach " + size + " members: " + members);
            }
            LockSupport.parkNanos(50000);
        }
    }

    /** Nearest-rank percentile of sorted values. */
    private static double percentile(double[] sorted, int p) {
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }
}
