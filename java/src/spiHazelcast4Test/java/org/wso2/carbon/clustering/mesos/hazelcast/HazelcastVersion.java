package org.wso2.carbon.clustering.mesos.hazelcast;

import com.hazelcast.config.Config;

/** What the shared tests do differently on Hazelcast 4.x and 5.x: a cluster name, no group. */
final class HazelcastVersion {

    static final int MAJOR = 4;

    private HazelcastVersion() {
    }

    static void clusterName(Config config, String name) {
        config.setClusterName(name);
    }

    static String clusterNameXml(String name) {
        return "<cluster-name>" + name + "</cluster-name>\n";
    }

    static String clusterNameYaml(String name) {
        return "  cluster-name: " + name + "\n";
    }
}
