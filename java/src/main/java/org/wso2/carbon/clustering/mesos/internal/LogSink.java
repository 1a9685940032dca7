package org.wso2.carbon.clustering.mesos.internal;

/** Where the native core's log records go (commons-logging in Carbon, else java.util.logging). */
public interface LogSink {

    /** Whether records at debug level are wanted (turns the core's debug records on). */
    boolean isDebugEnabled();

    /**
     * One record. {@code level} is {@code ERROR}, {@code WARN}, {@code INFO}, {@code DEBUG} or
     * {@code TRACE}; {@code target} the Rust module that logged it.
     */
    void log(String level, String target, String message);
}
