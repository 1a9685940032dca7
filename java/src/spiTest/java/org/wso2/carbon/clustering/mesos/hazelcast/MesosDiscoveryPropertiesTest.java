package org.wso2.carbon.clustering.mesos.hazelcast;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.hazelcast.config.properties.PropertyDefinition;
import com.hazelcast.config.properties.PropertyTypeConverter;
import org.junit.Test;
import org.wso2.carbon.clustering.mesos.MesosDiscovery;

/** The strategy's declared properties and how the core's key names become property names. */
public class MesosDiscoveryPropertiesTest {

    @Test
    public void everyConfigurationKeyIsAnOptionalStringProperty() {
        List<String> expected = new ArrayList<String>();
        for (String key : MesosDiscovery.knownKeys()) {
            expected.add(key.toLowerCase(Locale.ROOT).replace('_', '-'));
        }
        List<String> declared = new ArrayList<String>();
        for (PropertyDefinition definition : new MesosDiscoveryStrategyFactory().getConfigurationProperties()) {
            declared.add(definition.key());
            assertTrue(definition.key(), definition.optional());
            assertEquals(definition.key(), PropertyTypeConverter.STRING, definition.typeConverter());
        }
        assertEquals(expected, declared);
        assertTrue(declared.contains("marathon-endpoint"));
        assertTrue(declared.contains("mesos-member-discovery-scheme"));
        assertTrue(declared.contains("mesos-dns-endpoint"));
        assertTrue(declared.contains("marathon-app-id"));
    }

    @Test
    public void errorsNameThePropertyOnlyForValuesThatCameFromAProperty() {
        Map<String, String> fromProperties = Collections.singletonMap("MESOS_DISCOVERY_DEADLINE", "soon");
        assertEquals("mesos-discovery-deadline=\"soon\": not a number of seconds",
                MesosMembers.withPropertyNames("MESOS_DISCOVERY_DEADLINE=\"soon\": not a number of seconds",
                        fromProperties));
        // From the environment: the variable's name is what the user wrote.
        assertEquals("MESOS_DISCOVERY_RETRIES=\"x\": bad",
                MesosMembers.withPropertyNames("MESOS_DISCOVERY_RETRIES=\"x\": bad", fromProperties));
        // A key inside a longer word is not a key.
        assertEquals("XMESOS_DISCOVERY_DEADLINE",
                MesosMembers.withPropertyNames("XMESOS_DISCOVERY_DEADLINE", fromProperties));
    }
}
