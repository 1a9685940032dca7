package org.wso2.carbon.clustering.mesos;

/**
 * Base of every error the native core reports. Each core error kind has its own subclass
 * ({@link MesosConfigException}, {@link MesosNetworkException}, …); {@link #kind()} names it
 * the way the CLI, C and Python layers do. Messages are written for operators and never
 * contain passwords or tokens.
 */
public class MesosDiscoveryException extends Exception {

    private static final long serialVersionUID = 1L;

    public MesosDiscoveryException(String message) {
        super(message);
    }

    /** The core's stable error kind name, e.g. {@code "config"} or {@code "not_found"}. */
    public String kind() {
        return "unknown";
    }
}
