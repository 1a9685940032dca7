package org.wso2.carbon.clustering.mesos.hazelcast;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.hazelcast.config.InvalidConfigurationException;
import com.hazelcast.logging.ILogger;
import org.wso2.carbon.clustering.mesos.MemberDiscoverer;
import org.wso2.carbon.clustering.mesos.MembershipSnapshot;
import org.wso2.carbon.clustering.mesos.MembershipWatcher;
import org.wso2.carbon.clustering.mesos.MesosConfigException;
import org.wso2.carbon.clustering.mesos.MesosDiscovery;
import org.wso2.carbon.clustering.mesos.MesosDiscoveryException;
import org.wso2.carbon.clustering.mesos.MesosMember;
import org.wso2.carbon.clustering.mesos.internal.NativeEnvironment;

/**
 * The version-neutral half of the discovery strategy: the configuration (Hazelcast properties
 * overlaid with the environment, as the CLI does), and one live membership watcher whose
 * snapshot answers every {@code discoverNodes()} after the first.
 *
 * <p>The first {@link #current()} runs one full discovery (bounded by the configured
 * {@code mesos-discovery-deadline}) and keeps watching from it; if that discovery fails, it
 * logs why, answers no members, and a watcher started without waiting keeps trying in the
 * background. Every later call reads the watcher's snapshot: no I/O on Hazelcast's thread.
 */
final class MesosMembers {

    private final ILogger logger;
    private final Map<String, String> config;
    private volatile MembershipWatcher watcher;
    private boolean closed;

    /**
     * Resolves and validates the configuration (no I/O). A bad key or value throws Hazelcast's
     * {@link InvalidConfigurationException}, naming the property as written in the Hazelcast
     * configuration (or the environment variable, when the value came from there).
     */
    @SuppressWarnings("rawtypes")
    MesosMembers(ILogger logger, Map<String, Comparable> properties) {
        this.logger = logger;
        Map<String, String> fromProperties = MesosDiscoveryProperties.configFrom(properties);
        try {
            // The CLI's order: what the Hazelcast configuration says wins, the environment
            // (e.g. MARATHON_APP_ID, which Marathon sets in every task) fills in the rest.
            this.config = NativeEnvironment.overlay(fromProperties, false);
            new MemberDiscoverer(config).close();
        } catch (MesosConfigException e) {
            throw new InvalidConfigurationException("Mesos discovery strategy: "
                    + withPropertyNames(e.getMessage(), fromProperties));
        } catch (MesosDiscoveryException e) {
            throw new InvalidConfigurationException("Mesos discovery strategy: " + e.getMessage(), e);
        }
    }

    /** The members to join: the live snapshot, after a first discovery on the first call. */
    List<MesosMember> current() {
        MembershipWatcher live = watcher;
        if (live == null) {
            live = startWatching();
            if (live == null) {
                return Collections.emptyList();
            }
        }
        try {
            MembershipSnapshot snapshot = live.snapshot();
            if (snapshot.getErrorMessage() != null && logger.isFineEnabled()) {
                logger.fine("Mesos discovery: refresh failing, answering the last members known: "
                        + snapshot.getErrorMessage());
            }
            return snapshot.getMembers();
        } catch (MesosDiscoveryException e) {
            logger.warning("Mesos discovery: " + e.getMessage());
            return Collections.emptyList();
        }
    }

    private synchronized MembershipWatcher startWatching() {
        if (closed) {
            return null;
        }
        if (watcher != null) {
            return watcher;
        }
        try {
            watcher = MembershipWatcher.startAfterDiscovery(config);
            return watcher;
        } catch (MesosDiscoveryException first) {
            logger.warning("Mesos discovery: the first discovery failed (" + first.getMessage()
                    + "); watching in the background, no members until it succeeds");
        }
        try {
            watcher = MesosDiscovery.watchMembers(config, null);
        } catch (MesosDiscoveryException e) {
            logger.warning("Mesos discovery: cannot start watching members: " + e.getMessage());
        }
        return watcher;
    }

    /** Closes the watcher; later calls answer no members. */
    synchronized void close() {
        closed = true;
        MembershipWatcher live = watcher;
        watcher = null;
        if (live != null) {
            live.close();
        }
    }

    /**
     * The core names configuration keys ({@code MESOS_MEMBER_DISCOVERY_SCHEME}); a user of
     * this strategy wrote the property ({@code mesos-member-discovery-scheme}). Keys whose
     * value came from the environment keep their name: that is what the user wrote there.
     */
    static String withPropertyNames(String message, Map<String, String> fromProperties) {
        if (message == null) {
            return null;
        }
        String result = message;
        for (String key : fromProperties.keySet()) {
            if (fromProperties.get(key).trim().length() == 0) {
                continue;
            }
            Matcher m = Pattern.compile("(?<![A-Z0-9_])" + Pattern.quote(key) + "(?![A-Z0-9_])").matcher(result);
            result = m.replaceAll(Matcher.quoteReplacement(MesosDiscoveryProperties.propertyName(key)));
        }
        return result;
    }
}
