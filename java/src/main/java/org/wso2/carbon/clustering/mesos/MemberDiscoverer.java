package org.wso2.carbon.clustering.mesos;

import java.io.Closeable;
import java.util.Map;

import org.wso2.carbon.clustering.mesos.internal.JulLogSink;
import org.wso2.carbon.clustering.mesos.internal.LogSink;
import org.wso2.carbon.clustering.mesos.internal.Native;
import org.wso2.carbon.clustering.mesos.internal.NativeCleaner;
import org.wso2.carbon.clustering.mesos.internal.NativeLog;

/**
 * Discovers cluster members for one configuration, reusing HTTP connections between calls.
 * The configuration is the core's flat vocabulary ({@link MesosDiscovery#knownKeys()}): e.g.
 * {@code MARATHON_ENDPOINT}, {@code MARATHON_APPLICATIONS}. It is validated here; a bad key or
 * value throws {@link MesosConfigException} naming it.
 *
 * <p>Thread-safe. {@link #close()} is idempotent; an unclosed discoverer is freed once it
 * becomes unreachable. The core's log records go to java.util.logging
 * ({@code org.wso2.carbon.clustering.mesos}).
 */
public final class MemberDiscoverer implements Closeable {

    static final String LOGGER = "org.wso2.carbon.clustering.mesos";

    private final long id;
    private final LogSink sink;
    private final NativeCleaner.Cleanable cleanable;

    public MemberDiscoverer(Map<String, String> config) throws MesosDiscoveryException {
        this(config, new JulLogSink(LOGGER));
    }

    MemberDiscoverer(Map<String, String> config, LogSink sink) throws MesosDiscoveryException {
        if (config == null) {
            throw new MesosInvalidArgumentException("the configuration map must not be null");
        }
        Native.ensureLoaded();
        this.sink = sink;
        String[][] pairs = keysAndValues(config);
        NativeLog.configure(sink);
        try {
            this.id = Native.discovererOpen(pairs[0], pairs[1]);
        } finally {
            NativeLog.drainTo(sink);
        }
        this.cleanable = NativeCleaner.register(this, new Close(id));
    }

    /** The configuration map as two parallel arrays (keys, values), for the native side. */
    static String[][] keysAndValues(Map<String, String> config) throws MesosInvalidArgumentException {
        String[] keys = new String[config.size()];
        String[] values = new String[config.size()];
        int i = 0;
        for (Map.Entry<String, String> entry : config.entrySet()) {
            if (i == keys.length) {
                throw new MesosInvalidArgumentException("the configuration map changed while being read");
            }
            keys[i] = entry.getKey();
            values[i] = entry.getValue();
            i++;
        }
        if (i != keys.length) {
            throw new MesosInvalidArgumentException("the configuration map changed while being read");
        }
        return new String[][] {keys, values};
    }

    /** One full discovery; blocks up to the configured deadline. */
    public DiscoveryResult discover() throws MesosDiscoveryException {
        if (cleanable.isCleaned()) {
            throw new MesosClosedException("this member discoverer is closed");
        }
        try {
            return Native.discovererDiscover(id);
        } finally {
            NativeLog.drainTo(sink);
        }
    }

    /** Frees the native discoverer; idempotent and thread-safe. */
    @Override
    public void close() {
        cleanable.clean();
    }

    @Override
    public String toString() {
        return "MemberDiscoverer#" + id + (cleanable.isCleaned() ? " (closed)" : "");
    }

    /** The cleanup action: refers to the id only, never to the owner. */
    private static final class Close implements Runnable {
        private final long id;

        Close(long id) {
            this.id = id;
        }

        @Override
        public void run() {
            Native.discovererClose(id);
        }
    }
}
