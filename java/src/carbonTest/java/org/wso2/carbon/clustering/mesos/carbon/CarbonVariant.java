package org.wso2.carbon.clustering.mesos.carbon;

/**
 * The three binary variants of Carbon's membership-scheme interface (NOTES: carbon), with the
 * scheme class of the JAR that serves each, and the Carbon and Hazelcast types Carbon's agent
 * uses with it.
 */
enum CarbonVariant {
    A("kernel 4.4.2-4.6.x", "org.wso2.carbon.clustering.mesos.MesosMembershipScheme",
            "org.wso2.carbon.core.clustering.hazelcast", "com.hazelcast.core.Member"),
    B("kernel 4.7.x, 4.9.0-4.9.20", "org.wso2.carbon.clustering.mesos.kernel47.MesosMembershipScheme",
            "org.wso2.carbon.core.clustering.hazelcast", "com.hazelcast.cluster.Member"),
    C("kernel 4.8+, 4.9.21+, 4.10-4.12", "org.wso2.carbon.clustering.mesos.kernel48.MesosMembershipScheme",
            "org.wso2.carbon.hazelcast", "com.hazelcast.cluster.Member");

    final String kernels;
    final String schemeClass;
    final String carbonPackage;
    final String memberType;

    CarbonVariant(String kernels, String schemeClass, String carbonPackage, String memberType) {
        this.kernels = kernels;
        this.schemeClass = schemeClass;
        this.carbonPackage = carbonPackage;
        this.memberType = memberType;
    }

    String interfaceName() {
        return carbonPackage + ".HazelcastMembershipScheme";
    }

    String clusterImplName() {
        return carbonPackage + ".HazelcastCarbonClusterImpl";
    }
}
