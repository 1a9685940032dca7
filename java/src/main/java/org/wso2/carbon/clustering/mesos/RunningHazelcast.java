package org.wso2.carbon.clustering.mesos;

import java.net.InetSocketAddress;
import java.util.Collection;

import com.hazelcast.config.TcpIpConfig;

/**
 * The running Hazelcast instance as {@link MembershipSchemeCore} needs to see it, without the
 * Hazelcast API that changed between majors ({@code Cluster} and {@code Member} moved from
 * {@code com.hazelcast.core} to {@code com.hazelcast.cluster} in 4.0). Each scheme variant
 * implements it against the Hazelcast it was compiled for.
 */
public interface RunningHazelcast {

    /**
     * The TCP/IP join configuration the running instance reads.
     *
     * @throws RuntimeException when the instance is not running any more
     */
    TcpIpConfig tcpIpConfig();

    /**
     * The socket addresses of Hazelcast's cluster members now (the local one included).
     *
     * @throws RuntimeException when the instance is not running any more
     */
    Collection<InetSocketAddress> memberAddresses();
}
