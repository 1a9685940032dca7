package org.wso2.carbon.clustering.mesos;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

import org.apache.axis2.description.Parameter;

/**
 * Resolves the scheme's configuration the way the original Carbon Mesos scheme did, per key:
 * the environment variable, else the Java system property, else the axis2.xml clustering
 * parameter. Blank values count as unset.
 *
 * <p>Only keys of the core's vocabulary are read from the environment and system properties.
 * axis2 parameters that look like ours ({@code MARATHON_…}, {@code MESOS_…}, …) but are not in
 * the vocabulary are passed on too, so the core rejects the typo by name instead of silently
 * using a default; Carbon's own parameters (domain, localMemberHost, …) are left alone.
 */
final class CarbonParameters {

    private static final String[] OUR_PREFIXES = {
        "MARATHON_", "MESOS_", "ENABLE_MARATHON_", "IS_OVERLAY_", "DNS_", "HAZELCAST_PORT_",
    };

    private CarbonParameters() {
    }

    static Map<String, String> resolve(Map<String, Parameter> parameters, Collection<String> knownKeys,
            Map<String, String> env, Properties systemProperties) {
        Map<String, String> config = new LinkedHashMap<String, String>();
        for (String key : knownKeys) {
            String value = nonBlank(env.get(key));
            if (value == null) {
                value = nonBlank(systemProperties.getProperty(key));
            }
            if (value == null) {
                value = parameterValue(parameters, key);
            }
            if (value != null) {
                config.put(key, value);
            }
        }
        if (parameters != null) {
            for (String name : parameters.keySet()) {
                if (name != null && !knownKeys.contains(name) && looksLikeOurs(name)) {
                    String value = parameterValue(parameters, name);
                    config.put(name, value == null ? "" : value);
                }
            }
        }
        return config;
    }

    static boolean looksLikeOurs(String name) {
        for (String prefix : OUR_PREFIXES) {
            if (name.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }

    private static String parameterValue(Map<String, Parameter> parameters, String key) {
        if (parameters == null) {
            return null;
        }
        Parameter parameter = parameters.get(key);
        if (parameter == null || parameter.getValue() == null) {
            return null;
        }
        return nonBlank(parameter.getValue().toString());
    }

    private static String nonBlank(String value) {
        if (value == null) {
            return null;
        }
        // Passwords keep their spaces: only all-blank values count as unset.
        return value.trim().length() == 0 ? null : value;
    }
}
