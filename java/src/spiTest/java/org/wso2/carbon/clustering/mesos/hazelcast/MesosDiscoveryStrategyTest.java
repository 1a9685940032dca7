package org.wso2.carbon.clustering.mesos.hazelcast;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import com.hazelcast.config.Config;
import com.hazelcast.config.DiscoveryStrategyConfig;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.XmlConfigBuilder;
import com.hazelcast.config.YamlConfigBuilder;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.logging.Logger;
import com.hazelcast.spi.discovery.DiscoveryNode;
import com.hazelcast.spi.discovery.DiscoveryStrategy;
import org.junit.After;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.Timeout;
import org.wso2.carbon.clustering.mesos.support.Tools;

/**
 * The plugin in real Hazelcast (the version this JVM runs: one Gradle test task per version),
 * members found through the workbench's Marathon. The same source is compiled against each
 * Hazelcast major; {@link HazelcastVersion} holds the little that differs.
 */
public class MesosDiscoveryStrategyTest {

    private static final String STRATEGY = "org.wso2.carbon.clustering.mesos.hazelcast.MesosDiscoveryStrategy";

    @Rule
    public Timeout timeout = Timeout.seconds(240);

    private SpiWorkbench workbench;
    private final List<HazelcastInstance> instances = Collections.synchronizedList(new ArrayList<HazelcastInstance>());

    @After
    public void shutdown() {
        for (HazelcastInstance instance : instances) {
            instance.getLifecycleService().terminate();
        }
        if (workbench != null) {
            workbench.close();
        }
    }

    /**
     * Three members, two configured from XML ({@code <discovery-strategies>}) and one from YAML
     * (XML too before Hazelcast 3.12, which has no YAML), form one cluster through Marathon; a
     * fourth, configured programmatically with a factory instance and started after its task
     * appeared, joins them.
     */
    @Test
    public void threeMembersFormAndAFourthStartedLaterJoins() throws Exception {
        workbench = new SpiWorkbench();
        final String cluster = "spi-" + HazelcastVersion.MAJOR + "-form";
        List<Integer> ports = new ArrayList<Integer>();
        for (int i = 0; i < 3; i++) {
            ports.add(workbench.addMemberTask());
        }
        List<Callable<HazelcastInstance>> starts = new ArrayList<Callable<HazelcastInstance>>();
        for (final int port : ports) {
            final boolean yaml = port == ports.get(2) && runningAtLeast(3, 12);
            starts.add(new Callable<HazelcastInstance>() {
                @Override
                public HazelcastInstance call() {
                    Map<String, String> properties = strategyProperties();
                    return Hazelcast.newHazelcastInstance(
                            yaml ? fromYaml(cluster, port, properties) : fromXml(cluster, port, properties));
                }
            });
        }
        ExecutorService pool = Executors.newFixedThreadPool(starts.size());
        try {
            for (Future<HazelcastInstance> started : pool.invokeAll(starts)) {
                instances.add(started.get());
            }
        } finally {
            pool.shutdown();
        }
        for (HazelcastInstance instance : instances) {
            awaitClusterSize(instance, 3, 90);
        }

        int fourth = workbench.addMemberTask();
        Config config = baseConfig(cluster, fourth);
        config.getNetworkConfig().getJoin().getDiscoveryConfig()
                .addDiscoveryStrategyConfig(new DiscoveryStrategyConfig(new MesosDiscoveryStrategyFactory(),
                        workbench.properties()));
        instances.add(Hazelcast.newHazelcastInstance(config));
        for (HazelcastInstance instance : instances) {
            awaitClusterSize(instance, 4, 90);
        }
    }

    /** A bad value stops Hazelcast's start with a message naming the property as written. */
    @Test
    @SuppressWarnings("rawtypes")
    public void aBadPropertyValueStopsTheStartNamingTheProperty() throws Exception {
        workbench = new SpiWorkbench();
        int port = workbench.addMemberTask();
        Config config = baseConfig("spi-" + HazelcastVersion.MAJOR + "-bad", port);
        Map<String, Comparable> properties = workbench.properties();
        properties.put("mesos-member-discovery-scheme", "ZooKeeper");
        config.getNetworkConfig().getJoin().getDiscoveryConfig()
                .addDiscoveryStrategyConfig(new DiscoveryStrategyConfig(STRATEGY, properties));
        String message = startFailure(config);
        assertTrue(message, message.contains("mesos-member-discovery-scheme"));
        assertTrue(message, message.contains("ZooKeeper"));
        assertFalse(message, message.contains("MESOS_MEMBER_DISCOVERY_SCHEME"));
        assertTrue("no instance stays running", Hazelcast.getAllHazelcastInstances().isEmpty());
    }

    /**
     * A property the strategy does not declare (a typo) is refused by Hazelcast 3.10+. Hazelcast
     * 3.6–3.9 hand a strategy only its declared properties and drop the rest without a word: the
     * member starts on the properties it does know (the strategy never sees the typo).
     */
    @Test
    public void anUnknownPropertyIsRefusedFromHazelcast310AndDroppedBefore() throws Exception {
        workbench = new SpiWorkbench();
        int port = workbench.addMemberTask();
        Map<String, String> properties = strategyProperties();
        properties.put("marathon-endpoints", workbench.url());
        Config config = fromXml("spi-" + HazelcastVersion.MAJOR + "-typo", port, properties);
        if (runningAtLeast(3, 10)) {
            String message = startFailure(config);
            assertTrue(message, message.contains("marathon-endpoints"));
        } else {
            HazelcastInstance member = Hazelcast.newHazelcastInstance(config);
            instances.add(member);
            assertTrue("started with the typo dropped", member.getLifecycleService().isRunning());
        }
    }

    /**
     * After the first discovery the strategy answers from the live watcher: a task added in
     * Marathon shows up without another call doing I/O, and the members stay known while
     * Marathon is gone. destroy() closes the watcher.
     */
    @Test
    public void discoverNodesAnswersFromTheLiveWatcher() throws Exception {
        workbench = new SpiWorkbench();
        int first = workbench.addMemberTask();
        DiscoveryStrategy strategy = newStrategy(workbench.properties());
        try {
            assertEquals(Collections.singletonList(first), ports(strategy));
            int second = workbench.addMemberTask();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (ports(strategy).size() < 2 && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            List<Integer> both = new ArrayList<Integer>(Arrays.asList(first, second));
            Collections.sort(both);
            assertEquals(both, ports(strategy));

            // With Marathon gone, an answer that needed I/O would fail or come back empty.
            workbench.close();
            workbench = null;
            assertEquals("still known with Marathon gone", both, ports(strategy));
        } finally {
            strategy.destroy();
        }
        assertTrue("nothing after destroy()", ports(strategy).isEmpty());
    }

    /**
     * Environment variables fill in what the properties leave out, as with the CLI; a property
     * wins over its variable. The test JVM has {@code MARATHON_APPLICATIONS=/hz/members}
     * (gradle/hazelcast-spi.gradle).
     */
    @Test
    @SuppressWarnings("rawtypes")
    public void theEnvironmentFillsInWhatThePropertiesLeaveOut() throws Exception {
        assertEquals(SpiWorkbench.APP, System.getenv("MARATHON_APPLICATIONS"));
        workbench = new SpiWorkbench();
        int port = workbench.addMemberTask();

        Map<String, Comparable> withoutApps = workbench.properties();
        withoutApps.remove("marathon-applications");
        DiscoveryStrategy fromEnvironment = newStrategy(withoutApps);
        try {
            assertEquals(Collections.singletonList(port), ports(fromEnvironment));
        } finally {
            fromEnvironment.destroy();
        }

        // The property wins: an app Marathon does not have, so the first discovery fails (logged)
        // and the strategy answers no members instead of the environment's app.
        Map<String, Comparable> otherApp = workbench.properties();
        otherApp.put("marathon-applications", "/hz/absent");
        otherApp.put("mesos-discovery-deadline", 5);
        DiscoveryStrategy propertyWins = newStrategy(otherApp);
        try {
            assertEquals(Collections.<Integer>emptyList(), ports(propertyWins));
        } finally {
            propertyWins.destroy();
        }
    }

    /**
     * Whether the Hazelcast this JVM runs is {@code major.minor} or newer: the test task's
     * version, which HazelcastSpiJarTest checks is the Hazelcast JAR on the class path.
     */
    private static boolean runningAtLeast(int major, int minor) {
        String[] parts = Tools.required("mesos.discovery.hazelcast.version").split("\\.");
        int runningMajor = Integer.parseInt(parts[0]);
        int runningMinor = parts.length > 1 ? Integer.parseInt(parts[1]) : 0;
        return runningMajor > major || (runningMajor == major && runningMinor >= minor);
    }

    @SuppressWarnings("rawtypes")
    private static DiscoveryStrategy newStrategy(Map<String, Comparable> properties) {
        DiscoveryStrategy strategy = new MesosDiscoveryStrategyFactory().newDiscoveryStrategy(null,
                Logger.getLogger(MesosDiscoveryStrategyTest.class), properties);
        strategy.start();
        return strategy;
    }

    private static List<Integer> ports(DiscoveryStrategy strategy) {
        List<Integer> ports = new ArrayList<Integer>();
        for (DiscoveryNode node : strategy.discoverNodes()) {
            assertEquals("127.0.0.1", node.getPrivateAddress().getHost());
            ports.add(node.getPrivateAddress().getPort());
        }
        Collections.sort(ports);
        return ports;
    }

    private Map<String, String> strategyProperties() {
        Map<String, String> properties = new LinkedHashMap<String, String>();
        properties.put("marathon-endpoint", workbench.url());
        properties.put("marathon-applications", SpiWorkbench.APP);
        properties.put("mesos-discovery-deadline", "20");
        return properties;
    }

    /** Hazelcast's own start with a configuration it must refuse: the messages of the failure. */
    private String startFailure(Config config) {
        try {
            instances.add(Hazelcast.newHazelcastInstance(config));
        } catch (RuntimeException e) {
            StringBuilder messages = new StringBuilder();
            for (Throwable t = e; t != null; t = t.getCause()) {
                messages.append(t).append('\n');
            }
            return messages.toString();
        }
        fail("Hazelcast started with a configuration it should refuse");
        return null;
    }

    /** The member's configuration as a user writes it in hazelcast.xml. */
    private static Config fromXml(String cluster, int port, Map<String, String> strategyProperties) {
        StringBuilder properties = new StringBuilder();
        for (Map.Entry<String, String> e : strategyProperties.entrySet()) {
            properties.append("<property name=\"").append(e.getKey()).append("\">").append(e.getValue())
                    .append("</property>\n");
        }
        String xml = "<hazelcast xmlns=\"http://www.hazelcast.com/schema/config\">\n"
                + HazelcastVersion.clusterNameXml(cluster)
                + "<properties>\n" + LOOPBACK_PROPERTIES_XML
                + "<property name=\"hazelcast.discovery.enabled\">true</property>\n"
                + "</properties>\n"
                + "<network>\n"
                + "<port auto-increment=\"false\">" + port + "</port>\n"
                + "<join>\n"
                + "<multicast enabled=\"false\"/>\n"
                + "<tcp-ip enabled=\"false\"/>\n"
                + "<discovery-strategies>\n"
                + "<discovery-strategy enabled=\"true\" class=\"" + STRATEGY + "\">\n"
                + "<properties>\n" + properties + "</properties>\n"
                + "</discovery-strategy>\n"
                + "</discovery-strategies>\n"
                + "</join>\n"
                + "</network>\n"
                + "</hazelcast>\n";
        Config config = new XmlConfigBuilder(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8))).build();
        config.setInstanceName(cluster + "-" + port);
        return config;
    }

    /** The member's configuration as a user writes it in hazelcast.yaml (Hazelcast 3.12+). */
    private static Config fromYaml(String cluster, int port, Map<String, String> strategyProperties) {
        StringBuilder properties = new StringBuilder();
        for (Map.Entry<String, String> e : strategyProperties.entrySet()) {
            properties.append("              ").append(e.getKey()).append(": \"").append(e.getValue())
                    .append("\"\n");
        }
        String yaml = "hazelcast:\n"
                + HazelcastVersion.clusterNameYaml(cluster)
                + "  properties:\n"
                + "    hazelcast.phone.home.enabled: false\n"
                + "    hazelcast.logging.type: jdk\n"
                + "    hazelcast.local.localAddress: 127.0.0.1\n"
                + "    hazelcast.socket.bind.any: false\n"
                + "    hazelcast.wait.seconds.before.join: 1\n"
                + "    hazelcast.discovery.enabled: true\n"
                + "  network:\n"
                + "    port:\n"
                + "      auto-increment: false\n"
                + "      port: " + port + "\n"
                + "    join:\n"
                + "      multicast:\n"
                + "        enabled: false\n"
                + "      tcp-ip:\n"
                + "        enabled: false\n"
                + "      discovery-strategies:\n"
                + "        discovery-strategies:\n"
                + "          - class: " + STRATEGY + "\n"
                + "            enabled: true\n"
                + "            properties:\n"
                + properties;
        Config config = new YamlConfigBuilder(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8))).build();
        config.setInstanceName(cluster + "-" + port);
        return config;
    }

    private static final String LOOPBACK_PROPERTIES_XML =
            "<property name=\"hazelcast.phone.home.enabled\">false</property>\n"
            + "<property name=\"hazelcast.logging.type\">jdk</property>\n"
            + "<property name=\"hazelcast.local.localAddress\">127.0.0.1</property>\n"
            + "<property name=\"hazelcast.socket.bind.any\">false</property>\n"
            + "<property name=\"hazelcast.wait.seconds.before.join\">1</property>\n";

    /** The same as {@link #fromXml}, programmatically, without a discovery strategy yet. */
    private static Config baseConfig(String cluster, int port) {
        Config config = new Config();
        config.setInstanceName(cluster + "-" + port);
        HazelcastVersion.clusterName(config, cluster);
        config.setProperty("hazelcast.phone.home.enabled", "false");
        config.setProperty("hazelcast.logging.type", "jdk");
        config.setProperty("hazelcast.local.localAddress", "127.0.0.1");
        config.setProperty("hazelcast.socket.bind.any", "false");
        config.setProperty("hazelcast.wait.seconds.before.join", "1");
        config.setProperty("hazelcast.discovery.enabled", "true");
        config.getNetworkConfig().setPort(port).setPortAutoIncrement(false);
        JoinConfig join = config.getNetworkConfig().getJoin();
        join.getMulticastConfig().setEnabled(false);
        join.getTcpIpConfig().setEnabled(false);
        return config;
    }

    private static void awaitClusterSize(HazelcastInstance instance, int size, int seconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (instance.getCluster().getMembers().size() != size && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertEquals(instance.getName() + " sees " + instance.getCluster().getMembers(), size,
                instance.getCluster().getMembers().size());
    }
}
