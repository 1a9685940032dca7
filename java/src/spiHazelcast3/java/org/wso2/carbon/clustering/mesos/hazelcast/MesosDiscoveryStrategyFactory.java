package org.wso2.carbon.clustering.mesos.hazelcast;

import java.util.Collection;
import java.util.Map;

import com.hazelcast.config.properties.PropertyDefinition;
import com.hazelcast.logging.ILogger;
import com.hazelcast.spi.discovery.DiscoveryNode;
import com.hazelcast.spi.discovery.DiscoveryStrategy;
import com.hazelcast.spi.discovery.DiscoveryStrategyFactory;

/**
 * Hazelcast 3.6–3.12: the factory Hazelcast finds through
 * {@code META-INF/services/com.hazelcast.spi.discovery.DiscoveryStrategyFactory} when a
 * {@code <discovery-strategy class="org.wso2.carbon.clustering.mesos.hazelcast.MesosDiscoveryStrategy">}
 * is configured (or that a programmatic configuration passes as an instance, as inside OSGi).
 */
public final class MesosDiscoveryStrategyFactory implements DiscoveryStrategyFactory {

    @Override
    public Class<? extends DiscoveryStrategy> getDiscoveryStrategyType() {
        return MesosDiscoveryStrategy.class;
    }

    @Override
    @SuppressWarnings("rawtypes")
    public DiscoveryStrategy newDiscoveryStrategy(DiscoveryNode localNode, ILogger logger,
            Map<String, Comparable> properties) {
        return new MesosDiscoveryStrategy(logger, properties);
    }

    @Override
    public Collection<PropertyDefinition> getConfigurationProperties() {
        return MesosDiscoveryProperties.definitions();
    }
}
