package org.wso2.carbon.clustering.mesos.hazelcast;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.hazelcast.config.properties.PropertyDefinition;
import com.hazelcast.config.properties.PropertyTypeConverter;
import com.hazelcast.config.properties.SimplePropertyDefinition;
import org.wso2.carbon.clustering.mesos.MesosDiscovery;

/**
 * The strategy's Hazelcast properties: every key of the core's configuration vocabulary
 * ({@link MesosDiscovery#knownKeys()}), lower-cased with {@code _} turned into {@code -}
 * ({@code MARATHON_ENDPOINT} → {@code marathon-endpoint}), all optional strings. Declaring
 * them lets Hazelcast 3.10+ reject a property the strategy does not know. Uses only the
 * property API that is the same from Hazelcast 3.6 to 5.x.
 */
final class MesosDiscoveryProperties {

    private MesosDiscoveryProperties() {
    }

    /** The Hazelcast property name of a configuration key. */
    static String propertyName(String key) {
        return key.toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** One optional string property per configuration key, in documentation order. */
    static Collection<PropertyDefinition> definitions() {
        List<PropertyDefinition> definitions = new ArrayList<PropertyDefinition>();
        for (String key : MesosDiscovery.knownKeys()) {
            definitions.add(new SimplePropertyDefinition(propertyName(key), true, PropertyTypeConverter.STRING));
        }
        return definitions;
    }

    /**
     * The configuration keys set in Hazelcast's properties, with their values as text (a
     * programmatic config may pass numbers or booleans). Blank values stay blank: the core
     * treats them as unset.
     */
    @SuppressWarnings("rawtypes")
    static Map<String, String> configFrom(Map<String, Comparable> properties) {
        Map<String, String> config = new LinkedHashMap<String, String>();
        for (String key : MesosDiscovery.knownKeys()) {
            Comparable value = properties.get(propertyName(key));
            if (value != null) {
                config.put(key, value.toString());
            }
        }
        return config;
    }
}
