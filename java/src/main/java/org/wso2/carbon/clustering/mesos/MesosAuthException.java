package org.wso2.carbon.clustering.mesos;

/** The endpoint refused the credentials (HTTP 401/403, ZooKeeper auth). Core error kind {@code auth}. */
public class MesosAuthException extends MesosDiscoveryException {

    private static final long serialVersionUID = 1L;

    public MesosAuthException(String message) {
        super(message);
    }

    @Override
    public String kind() {
        return "auth";
    }
}
