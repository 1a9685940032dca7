package org.wso2.carbon.clustering.mesos;

/** A caller passed something unusable (null, empty, a closed object's id). Core error kind {@code invalid_argument}. */
public class MesosInvalidArgumentException extends MesosDiscoveryException {

    private static final long serialVersionUID = 1L;

    public MesosInvalidArgumentException(String message) {
        super(message);
    }

    @Override
    public String kind() {
        return "invalid_argument";
    }
}
