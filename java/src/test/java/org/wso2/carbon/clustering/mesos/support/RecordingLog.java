package org.wso2.carbon.clustering.mesos.support;

import java.util.ArrayList;
import java.util.List;

import org.apache.commons.logging.Log;

/**
 * A commons-logging {@link Log} that records every message (selected with the system property
 * {@code org.apache.commons.logging.Log}, set by build.gradle), so tests can check what reaches
 * Carbon's log and that secrets never do. Also echoes to stderr for the test report.
 */
public final class RecordingLog implements Log {

    private static final List<String> RECORDS = new ArrayList<String>();

    private final String name;

    public RecordingLog(String name) {
        this.name = name;
    }

    /** Records so far, as {@code LEVEL logger: message}. */
    public static synchronized List<String> records() {
        return new ArrayList<String>(RECORDS);
    }

    public static synchronized void clear() {
        RECORDS.clear();
    }

    private void record(String level, Object message, Throwable t) {
        String line = level + " " + name + ": " + message + (t == null ? "" : " (" + t + ")");
        synchronized (RecordingLog.class) {
            RECORDS.add(line);
        }
        System.err.println(line);
    }

    @Override
    public boolean isDebugEnabled() {
        return false;
    }

    @Override
    public boolean isErrorEnabled() {
        return true;
    }

    @Override
    public boolean isFatalEnabled() {
        return true;
    }

    @Override
    public boolean isInfoEnabled() {
        return true;
    }

    @Override
    public boolean isTraceEnabled() {
        return false;
    }

    @Override
    public boolean isWarnEnabled() {
        return true;
    }

    @Override
    public void trace(Object message) {
    }

    @Override
    public void trace(Object message, Throwable t) {
    }

    @Override
    public void debug(Object message) {
    }

    @Override
    public void debug(Object message, Throwable t) {
    }

    @Override
    public void info(Object message) {
        record("INFO", message, null);
    }

    @Override
    public void info(Object message, Throwable t) {
        record("INFO", message, t);
    }

    @Override
    public void warn(Object message) {
        record("WARN", message, null);
    }

    @Override
    public void warn(Object message, Throwable t) {
        record("WARN", message, t);
    }

    @Override
    public void error(Object message) {
        record("ERROR", message, null);
    }

    @Override
    public void error(Object message, Throwable t) {
        record("ERROR", message, t);
    }

    @Override
    public void fatal(Object message) {
        record("FATAL", message, null);
    }

    @Override
    public void fatal(Object message, Throwable t) {
        record("FATAL", message, t);
    }
}
