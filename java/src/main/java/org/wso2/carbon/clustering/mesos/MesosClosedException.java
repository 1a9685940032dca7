package org.wso2.carbon.clustering.mesos;

/** The object was closed before or during the call. Core error kind {@code closed}. */
public class MesosClosedException extends MesosDiscoveryException {

    private static final long serialVersionUID = 1L;

    public MesosClosedException(String message) {
        super(message);
    }

    @Override
    public String kind() {
        return "closed";
    }
}
