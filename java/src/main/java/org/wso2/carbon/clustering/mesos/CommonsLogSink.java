package org.wso2.carbon.clustering.mesos;

import org.apache.commons.logging.Log;
import org.wso2.carbon.clustering.mesos.internal.LogSink;

/** Native log records to commons-logging: inside Carbon, Carbon's own log. */
final class CommonsLogSink implements LogSink {

    private final Log log;

    CommonsLogSink(Log log) {
        this.log = log;
    }

    @Override
    public boolean isDebugEnabled() {
        return log.isDebugEnabled();
    }

    @Override
    public void log(String level, String target, String message) {
        if ("ERROR".equals(level)) {
            log.error(message);
        } else if ("WARN".equals(level)) {
            log.warn(message);
        } else if ("INFO".equals(level)) {
            log.info(message);
        } else if ("DEBUG".equals(level)) {
            log.debug(message);
        } else {
            log.trace(message);
        }
    }
}
