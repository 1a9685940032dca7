package org.wso2.carbon.clustering.mesos;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A configuration in three layers for the core to rank (environment > system property > the
 * map itself): the map holds the front end's own values (as text, blank ones too: the core
 * treats them as unset); the system properties and the environment ride along.
 * {@link MembershipWatcher} passes all three to the core. Carbon's scheme builds one
 * ({@link CarbonParameters#resolve}); it is its own class so that JARs without the Carbon
 * classes (the Hazelcast plugins) still load the watcher.
 */
final class ConfigLayers extends LinkedHashMap<String, String> {
    private static final long serialVersionUID = 1L;
    private final Map<String, String> systemProperties;
    private final Map<String, String> environment;

    ConfigLayers(Map<String, String> systemProperties, Map<String, String> environment) {
        this.systemProperties = Collections.unmodifiableMap(systemProperties);
        this.environment = Collections.unmodifiableMap(environment);
    }

    Map<String, String> systemProperties() {
        return systemProperties;
    }

    Map<String, String> environment() {
        return environment;
    }
}
