package org.wso2.carbon.clustering.mesos;

/** A configuration key or value is wrong; the message names the key. Core error kind {@code config}. */
public class MesosConfigException extends MesosDiscoveryException {

    private static final long serialVersionUID = 1L;

    public MesosConfigException(String message) {
        super(message);
    }

    @Override
    public String kind() {
        return "config";
    }
}
