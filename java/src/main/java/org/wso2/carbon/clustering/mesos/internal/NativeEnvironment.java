package org.wso2.carbon.clustering.mesos.internal;

import java.util.LinkedHashMap;
import java.util.Map;

import org.wso2.carbon.clustering.mesos.MesosDiscoveryException;

/**
 * The core's environment overlay (which of an explicit configuration map and the process
 * environment wins, per key), for front ends that resolve their configuration in Java first.
 * Not API. The precedence rules live in the core ({@code config::merge_env}); this only
 * forwards.
 */
public final class NativeEnvironment {

    private NativeEnvironment() {
    }

    /**
     * {@code config} overlaid with the environment variables of the core's vocabulary: with
     * {@code environmentWins} the environment wins (the Carbon order), otherwise {@code config}
     * wins and the environment fills in the keys it lacks or leaves blank (the CLI's order).
     * Throws {@code MesosConfigException} for a key outside the vocabulary.
     */
    public static Map<String, String> overlay(Map<String, String> config, boolean environmentWins)
            throws MesosDiscoveryException {
        Native.ensureLoaded();
        String[] keys = new String[config.size()];
        String[] values = new String[config.size()];
        int i = 0;
        for (Map.Entry<String, String> entry : config.entrySet()) {
            keys[i] = entry.getKey();
            values[i] = entry.getValue();
            i++;
        }
        String[] flat = overlay(keys, values, environmentWins);
        Map<String, String> merged = new LinkedHashMap<String, String>();
        for (int k = 0; k + 1 < flat.length; k += 2) {
            merged.put(flat[k], flat[k + 1]);
        }
        return merged;
    }

    private static native String[] overlay(String[] keys, String[] values, boolean environmentWins)
            throws MesosDiscoveryException;
}
