package org.wso2.carbon.clustering.mesos;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.hazelcast.config.Config;
import com.hazelcast.config.TcpIpConfig;
import org.apache.axis2.clustering.ClusteringMessage;
import org.wso2.carbon.clustering.mesos.support.Workbench;

/**
 * Benchmark (not a test; tests/bench/java/run): how long from a Marathon change (the
 * workbench's admin API) until the Carbon scheme's TCP/IP join list follows it, with the core's
 * fast path (Marathon events applied at once) and without it
 * ({@code MESOS_DISCOVERY_APPLY_EVENTS=false}: every event a debounced refetch), side by side.
 * Each round scales {@code /wso2/worker} from 1 to 2 instances (timed until the list grew,
 * checked every 50 µs) and back to 1 (timed until it shrank: a kill). Then the Marathon
 * requests those changes cost (workbench stats, confirming refetches included) and a burst of
 * 40 tasks at once (time until the list holds them all, and its requests). The path measured:
 * workbench event → Marathon event stream → the core (event applied, or refetch) → publish →
 * the Java reader thread wakes in native code → the listener thread → the scheme.
 *
 * <p>Prints one table line per mode and a final JSON line.
 */
public final class TcpIpLatencyBench {

    private static final long CHANGE_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(30);
    private static final int BURST = 40;
    /** Longer than the confirmation delay (0.5 s), so its refetches are counted too. */
    private static final long SETTLE_MILLIS = 1000;

    private TcpIpLatencyBench() {
    }

    public static void main(String[] args) throws Exception {
        int changes = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        StringBuilder json = new StringBuilder("{\"changes\": " + changes);
        System.out.println(String.format(Locale.ROOT, "%-10s %8s %8s %9s %9s %11s %9s %10s", "java", "up p50",
                "up p99", "kill p50", "kill p99", "req/change", "burst ms", "burst req"));
        for (String mode : new String[] {"fast", "debounce"}) {
            json.append(", \"").append(mode).append("\": ").append(run(changes, mode));
        }
        System.out.println("(ms; scale-up/kill via the workbench admin API inside the measured time)");
        System.out.println(json.append('}'));
    }

    private static String run(int changes, String mode) throws Exception {
        int warmup = 10;
        Workbench workbench = new Workbench("hazelcast-live.json");
        MesosMembershipScheme scheme = null;
        try {
            Config config = new Config();
            scheme = new MesosMembershipScheme(MesosMembershipSchemeTest.parameters(
                    "MARATHON_ENDPOINT", workbench.url(),
                    "MARATHON_APPLICATIONS", "/wso2/manager,/wso2/worker",
                    "MESOS_DISCOVERY_APPLY_EVENTS", "fast".equals(mode) ? "true" : "false"),
                    "bench", config, null, new ArrayList<ClusteringMessage>());
            scheme.init();
            TcpIpConfig tcpIp = config.getNetworkConfig().getJoin().getTcpIpConfig();
            int base = tcpIp.getMembers().size();
            if (base != 2) {
                throw new AssertionError("expected 2 members at start, got " + tcpIp.getMembers());
            }
            // Let the watcher's event stream attach before the first change.
            Thread.sleep(1000);
            double[] up = new double[changes];
            double[] down = new double[changes];
            for (int i = -warmup; i < changes; i++) {
                if (i == 0) {
                    Thread.sleep(SETTLE_MILLIS);
                    workbench.admin("/_workbench/stats/reset", "{}");
                }
                long start = System.nanoTime();
                scale(workbench, 2);
                long took = awaitSize(tcpIp, base + 1, start);
                start = System.nanoTime();
                scale(workbench, 1);
                long gone = awaitSize(tcpIp, base, start);
                if (i >= 0) {
                    up[i] = took / 1e6;
                    down[i] = gone / 1e6;
                }
            }
            Thread.sleep(SETTLE_MILLIS);
            long requests = total(workbench);
            workbench.admin("/_workbench/stats/reset", "{}");
            long start = System.nanoTime();
            scale(workbench, 1 + BURST);
            double burst = awaitSize(tcpIp, base + BURST, start) / 1e6;
            Thread.sleep(SETTLE_MILLIS);
            long burstRequests = total(workbench);
            Arrays.sort(up);
            Arrays.sort(down);
            double perChange = requests / (2.0 * changes);
            System.out.println(String.format(Locale.ROOT, "%-10s %8.2f %8.2f %9.2f %9.2f %11.2f %9.1f %10d", mode,
                    percentile(up, 50), percentile(up, 99), percentile(down, 50), percentile(down, 99), perChange,
                    burst, burstRequests));
            return String.format(Locale.ROOT, "{\"up_p50_ms\": %.3f, \"up_p99_ms\": %.3f, \"down_p50_ms\": %.3f, "
                    + "\"down_p99_ms\": %.3f, \"requests_per_change\": %.3f, \"burst_ms\": %.3f, "
                    + "\"burst_requests\": %d}", percentile(up, 50), percentile(up, 99), percentile(down, 50),
                    percentile(down, 99), perChange, burst, burstRequests);
        } finally {
            if (scheme != null) {
                scheme.close();
            }
            workbench.close();
        }
    }

    private static long total(Workbench workbench) throws Exception {
        Matcher m = Pattern.compile("\"total\":(\\d+)").matcher(workbench.admin("/_workbench/stats", null));
        if (!m.find()) {
            throw new AssertionError("no request total in the workbench's stats");
        }
        return Long.parseLong(m.group(1));
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
