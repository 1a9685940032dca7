package org.wso2.carbon.clustering.mesos.hazelcast.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import com.hazelcast.config.Config;
import com.hazelcast.config.DiscoveryStrategyConfig;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import org.wso2.carbon.clustering.mesos.hazelcast.MesosDiscoveryStrategyFactory;
import org.wso2.carbon.clustering.mesos.support.Workbench;

/**
 * Time from the first {@code Hazelcast.newHazelcastInstance} to a 3-member cluster (every member
 * sees 3), the three started at once: through the Discovery SPI plugin (members from the
 * workbench's Marathon) vs a static tcp-ip list of the same three addresses, the floor. Rounds
 * alternate the two. Same Hazelcast settings for both; {@code hazelcast.wait.seconds.before.join}
 * is 1 (default 5) so the join itself, not that fixed pause, dominates.
 *
 * <p>Prints a table and a final JSON line:
 * {@code {"hz_spi_form_p50_ms": …, "hz_tcpip_form_p50_ms": …, "rounds": N}}.
 */
public final class FormationBench {

    private static final String APP = "/hz/members";

    private FormationBench() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        Workbench workbench = new Workbench("hazelcast-spi.json");
        try {
            List<Integer> ports = new ArrayList<Integer>();
            for (int i = 0; i < 3; i++) {
                int port = freePort();
                workbench.admin("/_workbench/tasks",
                        "{\"app\": \"" + APP + "\", \"task\": {\"agent\": \"127.0.0.1\", \"ports\": [" + port + "]}}");
                ports.add(port);
            }
            // One untimed formation of each first: class loading, the native library, JIT.
            form(ports, true, workbench.url(), "warm-spi");
            form(ports, false, workbench.url(), "warm-tcpip");
            List<Double> spi = new ArrayList<Double>();
            List<Double> tcpip = new ArrayList<Double>();
            for (int round = 0; round < rounds; round++) {
                spi.add(form(ports, true, workbench.url(), "spi-" + round));
                tcpip.add(form(ports, false, workbench.url(), "tcpip-" + round));
            }
            Collections.sort(spi);
            Collections.sort(tcpip);
            System.out.println(String.format(Locale.ROOT,
                    "Hazelcast %s, 3 members started at once, newHazelcastInstance → all see 3 (%d rounds):",
                    com.hazelcast.instance.BuildInfoProvider.getBuildInfo().getVersion(), rounds));
            System.out.println(String.format(Locale.ROOT, "  %-34s p50 %7.0f ms   min %7.0f ms   max %7.0f ms",
                    "Mesos Discovery SPI plugin", median(spi), spi.get(0), spi.get(spi.size() - 1)));
            System.out.println(String.format(Locale.ROOT, "  %-34s p50 %7.0f ms   min %7.0f ms   max %7.0f ms",
                    "static tcp-ip list (floor)", median(tcpip), tcpip.get(0), tcpip.get(tcpip.size() - 1)));
            System.out.println(String.format(Locale.ROOT,
                    "{\"hz_spi_form_p50_ms\": %.0f, \"hz_tcpip_form_p50_ms\": %.0f, \"rounds\": %d}",
                    median(spi), median(tcpip), rounds));
        } finally {
            workbench.close();
        }
    }

    /** Starts three members at once and returns the milliseconds until every one sees three. */
    private static double form(final List<Integer> ports, final boolean plugin, final String marathon,
            final String name) throws Exception {
        List<Callable<HazelcastInstance>> starts = new ArrayList<Callable<HazelcastInstance>>();
        for (final int port : ports) {
            starts.add(new Callable<HazelcastInstance>() {
                @Override
                public HazelcastInstance call() {
                    return Hazelcast.newHazelcastInstance(config(ports, port, plugin, marathon, name));
                }
            });
        }
        ExecutorService pool = Executors.newFixedThreadPool(ports.size());
        List<HazelcastInstance> instances = new ArrayList<HazelcastInstance>();
        long start = System.nanoTime();
        try {
            for (Future<HazelcastInstance> f : pool.invokeAll(starts)) {
                instances.add(f.get());
            }
            for (HazelcastInstance instance : instances) {
                while (instance.getCluster().getMembers().size() != ports.size()) {
                    Thread.sleep(5);
                }
            }
            return (System.nanoTime() - start) / 1e6;
        } finally {
            pool.shutdown();
            for (HazelcastInstance instance : instances) {
                instance.getLifecycleService().terminate();
            }
        }
    }

    @SuppressWarnings("rawtypes")
    private static Config config(List<Integer> ports, int port, boolean plugin, String marathon, String name) {
        Config config = new Config();
        config.setInstanceName(name + "-" + port);
        config.setClusterName("bench-" + name);
        config.setProperty("hazelcast.phone.home.enabled", "false");
        config.setProperty("hazelcast.local.localAddress", "127.0.0.1");
        config.setProperty("hazelcast.socket.bind.any", "false");
        config.setProperty("hazelcast.wait.seconds.before.join", "1");
        config.getNetworkConfig().setPort(port).setPortAutoIncrement(false);
        JoinConfig join = config.getNetworkConfig().getJoin();
        join.getMulticastConfig().setEnabled(false);
        join.getAutoDetectionConfig().setEnabled(false);
        if (plugin) {
            config.setProperty("hazelcast.discovery.enabled", "true");
            join.getTcpIpConfig().setEnabled(false);
            Map<String, Comparable> properties = new HashMap<String, Comparable>();
            properties.put("marathon-endpoint", marathon);
            properties.put("marathon-applications", APP);
            join.getDiscoveryConfig().addDiscoveryStrategyConfig(
                    new DiscoveryStrategyConfig(new MesosDiscoveryStrategyFactory(), properties));
        } else {
            join.getTcpIpConfig().setEnabled(true);
            for (int member : ports) {
                join.getTcpIpConfig().addMember("127.0.0.1:" + member);
            }
        }
        return config;
    }

    private static double median(List<Double> sorted) {
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    private static int freePort() throws IOException {
        ServerSocket socket = new ServerSocket();
        try {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress("127.0.0.1", 0));
            return socket.getLocalPort();
        } finally {
            socket.close();
        }
    }
}
