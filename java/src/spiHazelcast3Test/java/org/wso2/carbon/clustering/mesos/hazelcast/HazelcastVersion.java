package org.wso2.carbon.clustering.mesos.hazelcast;

import com.hazelcast.config.Config;

/** What the shared tests do differently on Hazelcast 3.x: the cluster's name is its group. */
final class HazelcastVersion {

    static final int MAJOR = 3;

    private HazelcastVersion() {
    }

    static void clusterName(Config config, String name) {
        config.getGroupConfig().setName(name);
    }

    static String clusterNameXml(String name) {
        return "<group><name>" + name + "</name></group>\n";
    }

    static String clusterNameYaml(String name) {
        return "  group:\n    name: " + name + "\n";
    }
}
