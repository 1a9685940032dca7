package org.wso2.carbon.clustering.mesos;

/**
 * One cluster member: an address Hazelcast can join and the Marathon task behind it.
 * Immutable; built by the native core only.
 */
public final class MesosMember {

    private final String host;
    private final int port;
    private final String appId;
    private final String taskId;
    private final String state;
    private final Boolean healthy;

    /** Called from native code; {@code healthy}: -1 unknown, 0 unhealthy, 1 healthy. */
    MesosMember(String host, int port, String appId, String taskId, String state, int healthy) {
        this.host = host;
        this.port = port;
        this.appId = appId;
        this.taskId = taskId;
        this.state = state;
        this.healthy = healthy < 0 ? null : Boolean.valueOf(healthy > 0);
    }

    /** Host name or IP address (IPv6 without brackets). */
    public String getHost() {
        return host;
    }

    public int getPort() {
        return port;
    }

    /** Absolute Marathon app id, e.g. {@code /wso2/manager}. */
    public String getAppId() {
        return appId;
    }

    /** Marathon task id; for Mesos-DNS, the SRV target name. */
    public String getTaskId() {
        return taskId;
    }

    /** Mesos task state, e.g. {@code TASK_RUNNING}. */
    public String getState() {
        return state;
    }

    /** {@code TRUE}/{@code FALSE} from Marathon health checks, or {@code null} when unknown. */
    public Boolean getHealthy() {
        return healthy;
    }

    /** {@code host:port} as Hazelcast's {@code TcpIpConfig.addMember} takes it (IPv6 bracketed). */
    public String hostPort() {
        return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
    }

    @Override
    public boolean equals(Object other) {
        if (!(other instanceof MesosMember)) {
            return false;
        }
        MesosMember o = (MesosMember) other;
        return port == o.port && host.equals(o.host) && appId.equals(o.appId)
                && taskId.equals(o.taskId) && state.equals(o.state)
                && (healthy == null ? o.healthy == null : healthy.equals(o.healthy));
    }

    @Override
    public int hashCode() {
        return ((host.hashCode() * 31 + port) * 31 + appId.hashCode()) * 31 + taskId.hashCode();
    }

    @Override
    public String toString() {
        return hostPort() + " (" + appId + " task " + taskId + ", " + state
                + (healthy == null ? "" : healthy.booleanValue() ? ", healthy" : ", unhealthy") + ")";
    }
}
