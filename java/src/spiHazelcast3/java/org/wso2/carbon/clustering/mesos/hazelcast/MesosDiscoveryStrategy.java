package org.wso2.carbon.clustering.mesos.hazelcast;

import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.hazelcast.nio.Address;
import com.hazelcast.logging.ILogger;
import com.hazelcast.spi.discovery.AbstractDiscoveryStrategy;
import com.hazelcast.spi.discovery.DiscoveryNode;
import com.hazelcast.spi.discovery.SimpleDiscoveryNode;
import org.wso2.carbon.clustering.mesos.MesosMember;

/**
 * Hazelcast 3.6–3.12: members from Marathon or Mesos-DNS (see {@link MesosMembers}). Only the
 * node type differs between Hazelcast majors (its address class moved from
 * {@code com.hazelcast.nio} to {@code com.hazelcast.cluster} in 4.0), so this class is the
 * per-major part and everything else is shared.
 */
public final class MesosDiscoveryStrategy extends AbstractDiscoveryStrategy {

    private final MesosMembers members;

    @SuppressWarnings("rawtypes")
    public MesosDiscoveryStrategy(ILogger logger, Map<String, Comparable> properties) {
        super(logger, properties);
        this.members = new MesosMembers(logger, properties);
    }

    @Override
    public Iterable<DiscoveryNode> discoverNodes() {
        List<DiscoveryNode> nodes = new ArrayList<DiscoveryNode>();
        for (MesosMember member : members.current()) {
            try {
                nodes.add(new SimpleDiscoveryNode(new Address(member.getHost(), member.getPort())));
            } catch (UnknownHostException e) {
                getLogger().warning("Mesos discovery: skipping " + member + ": unknown host");
            }
        }
        return nodes;
    }

    @Override
    public void destroy() {
        members.close();
    }
}
