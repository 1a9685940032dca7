package org.wso2.carbon.clustering.mesos.internal;

import java.util.logging.Level;
import java.util.logging.Logger;

/** Native log records to a java.util.logging logger: the public API's default. */
public final class JulLogSink implements LogSink {

    private final Logger logger;

    public JulLogSink(String name) {
        this.logger = Logger.getLogger(name);
    }

    @Override
    public boolean isDebugEnabled() {
        return logger.isLoggable(Level.FINE);
    }

    @Override
    public void log(String level, String target, String message) {
        logger.log(toJul(level), message);
    }

    static Level toJul(String level) {
        if ("ERROR".equals(level)) {
            return Level.SEVERE;
        }
        if ("WARN".equals(level)) {
            return Level.WARNING;
        }
        if ("INFO".equals(level)) {
            return Level.INFO;
        }
        if ("DEBUG".equals(level)) {
            return Level.FINE;
        }
        return Level.FINER;
    }
}
