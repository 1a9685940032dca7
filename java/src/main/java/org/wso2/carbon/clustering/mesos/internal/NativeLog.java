package org.wso2.carbon.clustering.mesos.internal;

/**
 * Moves the native core's queued log records into a {@link LogSink}, on the calling Java
 * thread. The native side never calls Java (see rust/jni/src/logging.rs for why); the API
 * classes call {@link #drainTo} after every native call and from their watcher threads.
 */
public final class NativeLog {

    private NativeLog() {
    }

    /** Sets the core's own level from the sink (debug if the sink wants debug, else info). */
    public static void configure(LogSink sink) {
        Native.setLogLevel(sink.isDebugEnabled() ? 4 : 3);
    }

    /** Hands every queued record to {@code sink}; a failing sink never breaks the caller. */
    public static void drainTo(LogSink sink) {
        String[] flat = Native.drainLog();
        if (flat == null) {
            return;
        }
        for (int i = 0; i + 2 < flat.length; i += 3) {
            try {
                sink.log(flat[i], flat[i + 1], flat[i + 2]);
            } catch (RuntimeException ignored) {
                // Logging must not turn a discovery into a failure.
            }
        }
    }
}
