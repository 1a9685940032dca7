package org.wso2.carbon.clustering.mesos;

/** What was asked for does not exist (every app missing, ZooKeeper path absent). Core error kind {@code not_found}. */
public class MesosNotFoundException extends MesosDiscoveryException {

    private static final long serialVersionUID = 1L;

    public MesosNotFoundException(String message) {
        super(message);
    }

    @Override
    public String kind() {
        return "not_found";
    }
}
