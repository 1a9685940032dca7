package org.wso2.carbon.clustering.mesos;

/** A ZooKeeper failure not covered by the other kinds (session expired, connection loss). Core error kind {@code zookeeper}. */
public class MesosZooKeeperException extends MesosDiscoveryException {

    private static final long serialVersionUID = 1L;

    public MesosZooKeeperException(String message) {
        super(message);
    }

    @Override
    public String kind() {
        return "zookeeper";
    }
}
