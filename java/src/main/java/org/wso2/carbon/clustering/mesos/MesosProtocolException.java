package org.wso2.carbon.clustering.mesos;

/** An answer arrived but could not be understood (bad JSON or protobuf, too large). Core error kind {@code protocol}. */
public class MesosProtocolException extends MesosDiscoveryException {

    private static final long serialVersionUID = 1L;

    public MesosProtocolException(String message) {
        super(message);
    }

    @Override
    public String kind() {
        return "protocol";
    }
}
