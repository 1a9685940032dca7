package org.wso2.carbon.clustering.mesos;

/** A bug in the native code (including a caught panic): please report it. Core error kind {@code internal}. */
public class MesosInternalException extends MesosDiscoveryException {

    private static final long serialVersionUID = 1L;

    public MesosInternalException(String message) {
        super(message);
    }

    @Override
    public String kind() {
        return "internal";
    }
}
