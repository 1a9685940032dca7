package org.wso2.carbon.clustering.mesos;

/** The service answered that it cannot serve now (HTTP 5xx, no Marathon leader). Core error kind {@code unavailable}. */
public class MesosUnavailableException extends MesosDiscoveryException {

    private static final long serialVersionUID = 1L;

    public MesosUnavailableException(String message) {
        super(message);
    }

    @Override
    public String kind() {
        return "unavailable";
    }
}
