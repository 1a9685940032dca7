package org.wso2.carbon.clustering.mesos;

import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

import org.apache.axis2.description.Parameter;

/**
 * Hands the scheme's configuration to the core as the original Carbon Mesos scheme read it: the
 * environment, the Java system properties and the axis2.xml clustering parameters, as three
 * layers. The core decides the order (environment &gt; system property &gt; parameter, per
 * key; blank counts as unset) and reads only its own keys from the environment and the system
 * properties; this class only converts.
 *
 * <p>Which axis2 parameters are ours: the keys of the core's vocabulary, and the ones that look
 * like ours ({@code MARATHON_…}, {@code MESOS_…}, …) but are not in it, so the core rejects the
 * typo by name instead of silently using a default. Carbon's own parameters (domain,
 * localMemberHost, …) are left out.
 */
final class CarbonParameters {

    private static final String[] OUR_PREFIXES = {
        "MARATHON_", "MESOS_", "ENABLE_MARATHON_", "IS_OVERLAY_", "DNS_", "HAZELCAST_PORT_",
    };

    private CarbonParameters() {
    }

    static ConfigLayers resolve(Map<String, Parameter> parameters, Collection<String> knownKeys,
            Map<String, String> env, Properties systemProperties) {
        Map<String, String> properties = new LinkedHashMap<String, String>();
        if (systemProperties != null) {
            for (String name : systemProperties.stringPropertyNames()) {
                properties.put(name, systemProperties.getProperty(name));
            }
        }
        ConfigLayers layers = new ConfigLayers(properties,
                env == null ? Collections.<String, String>emptyMap() : new LinkedHashMap<String, String>(env));
        if (parameters != null) {
            for (Map.Entry<String, Parameter> entry : parameters.entrySet()) {
                String name = entry.getKey();
                if (name != null && (knownKeys.contains(name) || looksLikeOurs(name))) {
                    layers.put(name, text(entry.getValue()));
                }
            }
        }
        return layers;
    }

    static boolean looksLikeOurs(String name) {
        for (String prefix : OUR_PREFIXES) {
            if (name.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }

    private static String text(Parameter parameter) {
        return parameter == null || parameter.getValue() == null ? "" : parameter.getValue().toString();
    }
}
