package org.wso2.carbon.clustering.mesos;

/** A deadline passed before an answer arrived. Core error kind {@code timeout}. */
public class MesosTimeoutException extends MesosDiscoveryException {

    private static final long serialVersionUID = 1L;

    public MesosTimeoutException(String message) {
        super(message);
    }

    @Override
    public String kind() {
        return "timeout";
    }
}
