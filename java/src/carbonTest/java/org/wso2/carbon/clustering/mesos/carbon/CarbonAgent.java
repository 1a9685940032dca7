package org.wso2.carbon.clustering.mesos.carbon;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

import com.hazelcast.config.Config;
import com.hazelcast.config.NetworkConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import org.apache.axis2.clustering.ClusteringMessage;
import org.apache.axis2.description.Parameter;

/**
 * One Carbon node's clustering start-up, in the order and with the calls of Carbon's
 * HazelcastClusteringAgent.init() (NOTES: carbon, "Selection and order of calls"): the scheme
 * named by class through its {@code (Map, String, Config, HazelcastInstance, List)} constructor
 * with a null instance, {@code init()}, {@code Hazelcast.newHazelcastInstance(config)}, then
 * {@code setPrimaryHazelcastInstance}, {@code setCarbonCluster}, {@code setLocalMember} (the
 * instance's local member) and {@code joinGroup()}, through the variant's interface. Carbon's
 * cluster is the variant's stub, which records what the scheme tells it.
 */
final class CarbonAgent {

    final CarbonVariant variant;
    final int port;
    final Object scheme;
    final HazelcastInstance instance;
    final Object carbonCluster;
    final List<ClusteringMessage> messageBuffer;

    private CarbonAgent(CarbonVariant variant, int port, Object scheme, HazelcastInstance instance,
            Object carbonCluster, List<ClusteringMessage> messageBuffer) {
        this.variant = variant;
        this.port = port;
        this.scheme = scheme;
        this.instance = instance;
        this.carbonCluster = carbonCluster;
        this.messageBuffer = messageBuffer;
    }

    static CarbonAgent start(CarbonVariant variant, String cluster, int port, Map<String, Parameter> parameters,
            List<ClusteringMessage> messageBuffer) throws Exception {
        Config config = config(cluster, port);
        Class<?> schemeClass = Class.forName(variant.schemeClass);
        Object scheme = schemeClass
                .getConstructor(Map.class, String.class, Config.class, HazelcastInstance.class, List.class)
                .newInstance(parameters, "wso2.carbon.domain", config, null, messageBuffer);
        Class<?> api = Class.forName(variant.interfaceName());
        api.getMethod("init").invoke(scheme);
        HazelcastInstance instance = Hazelcast.newHazelcastInstance(config);
        Class<?> clusterType = Class.forName(variant.clusterImplName());
        Object carbonCluster = clusterType.getConstructor().newInstance();
        Reflect.callAs(api, scheme, "setPrimaryHazelcastInstance", HazelcastInstance.class, instance);
        Reflect.callAs(api, scheme, "setCarbonCluster", clusterType, carbonCluster);
        Object localMember = Reflect.call(Reflect.call(instance, "getCluster"), "getLocalMember");
        Reflect.callAs(api, scheme, "setLocalMember", Class.forName(variant.memberType), localMember);
        api.getMethod("joinGroup").invoke(scheme);
        return new CarbonAgent(variant, port, scheme, instance, carbonCluster, messageBuffer);
    }

    /**
     * What Carbon's createConfigForAxis2Mode sets (public address, port) plus loopback-only
     * networking and short join waits for the tests; the cluster name keeps combinations apart.
     */
    private static Config config(String cluster, int port) throws Exception {
        Config config = new Config();
        config.setProperty("hazelcast.phone.home.enabled", "false");
        config.setProperty("hazelcast.logging.type", "jdk");
        config.setProperty("hazelcast.local.localAddress", "127.0.0.1");
        config.setProperty("hazelcast.socket.bind.any", "false");
        config.setProperty("hazelcast.wait.seconds.before.join", "1");
        config.setProperty("hazelcast.max.wait.seconds.before.join", "3");
        config.setProperty("hazelcast.merge.first.run.delay.seconds", "5");
        config.setProperty("hazelcast.merge.next.run.delay.seconds", "5");
        try {
            Reflect.call(config, "setClusterName", cluster);
        } catch (NoSuchMethodException hazelcast3) {
            Reflect.call(Reflect.call(config, "getGroupConfig"), "setName", cluster);
        }
        NetworkConfig network = config.getNetworkConfig();
        network.setPort(port);
        network.setPublicAddress("127.0.0.1");
        Reflect.call(network, "setPortAutoIncrement", false);
        config.getNetworkConfig().getJoin().getTcpIpConfig().setConnectionTimeoutSeconds(2);
        return config;
    }

    /** How many members this node's Hazelcast sees. */
    int clusterSize() throws Exception {
        return ((Collection<?>) Reflect.call(Reflect.call(instance, "getCluster"), "getMembers")).size();
    }

    /** The running instance's TCP/IP join list. */
    List<String> joinList() throws Exception {
        Config running = (Config) Reflect.call(instance, "getConfig");
        return new ArrayList<String>(running.getNetworkConfig().getJoin().getTcpIpConfig().getMembers());
    }

    /** The scheme's live membership watcher (its public getWatcher()), or null once closed. */
    Object watcher() throws Exception {
        return Reflect.call(scheme, "getWatcher");
    }

    /** The ports of the members the scheme's watcher lists now. */
    List<Integer> watcherPorts() throws Exception {
        List<Integer> ports = new ArrayList<Integer>();
        for (Object member : (List<?>) Reflect.call(Reflect.call(watcher(), "snapshot"), "getMembers")) {
            ports.add((Integer) Reflect.call(member, "getPort"));
        }
        return ports;
    }

    @SuppressWarnings("unchecked")
    List<InetSocketAddress> carbonJoined() throws Exception {
        return (List<InetSocketAddress>) Reflect.call(carbonCluster, "joinedMembers");
    }

    @SuppressWarnings("unchecked")
    List<InetSocketAddress> carbonLeft() throws Exception {
        return (List<InetSocketAddress>) Reflect.call(carbonCluster, "leftMembers");
    }

    /** {address, messages} for every replay Carbon's HazelcastUtil was asked for. */
    @SuppressWarnings("unchecked")
    List<Object[]> carbonReplays() throws Exception {
        return (List<Object[]>) Reflect.call(carbonCluster, "replays");
    }

    void shutdown() throws Exception {
        Reflect.call(Reflect.call(instance, "getLifecycleService"), "shutdown");
    }

    void terminate() {
        try {
            Reflect.call(Reflect.call(instance, "getLifecycleService"), "terminate");
        } catch (Exception e) {
            // already down
        }
        try {
            ((java.io.Closeable) scheme).close();
        } catch (Exception e) {
            // already closed
        }
    }

    @Override
    public String toString() {
        return "variant " + variant + " member at 127.0.0.1:" + port;
    }
}
