package org.wso2.carbon.clustering.mesos;

/**
 * Told about leader changes by a {@link LeaderWatcher}, on the watcher's own Java thread
 * (never on a native thread, never on the caller's). Calls for one watcher come one at a time,
 * in generation order; an exception thrown here is logged and does not stop the watcher.
 */
public interface LeaderListener {

    void leaderChanged(LeaderState state);
}
