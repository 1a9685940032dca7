package org.wso2.carbon.clustering.mesos;

/** An endpoint could not be reached (refused, reset, DNS, TLS handshake). Core error kind {@code network}. */
public class MesosNetworkException extends MesosDiscoveryException {

    private static final long serialVersionUID = 1L;

    public MesosNetworkException(String message) {
        super(message);
    }

    @Override
    public String kind() {
        return "network";
    }
}
