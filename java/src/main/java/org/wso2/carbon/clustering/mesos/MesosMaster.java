package org.wso2.carbon.clustering.mesos;

import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * A Mesos master as registered in ZooKeeper. Immutable; built by the native core only.
 * {@link #toJson()} is the core's JSON for it, the same the CLI and C layers print.
 */
public final class MesosMaster {

    private final String id;
    private final String hostname;
    private final String ip;
    private final int port;
    private final String pid;
    private final String version;
    private final String region;
    private final String zone;
    private final List<String> capabilities;
    private final String znode;
    private final long sequence;
    private final String format;
    private final boolean leader;
    private final String json;

    /** Called from native code. */
    MesosMaster(String id, String hostname, String ip, int port, String pid, String version,
            String region, String zone, String[] capabilities, String znode, long sequence, String format,
            boolean leader, String json) {
        this.id = id;
        this.hostname = hostname;
        this.ip = ip;
        this.port = port;
        this.pid = pid;
        this.version = version;
        this.region = region;
        this.zone = zone;
        this.capabilities = Collections.unmodifiableList(Arrays.asList(capabilities));
        this.znode = znode;
        this.sequence = sequence;
        this.format = format;
        this.leader = leader;
        this.json = json;
    }

    public String getId() {
        return id;
    }

    /** The master's host name, or {@code null} when it registered none. */
    public String getHostname() {
        return hostname;
    }

    public String getIp() {
        return ip;
    }

    public int getPort() {
        return port;
    }

    /** libprocess UPID ({@code master@ip:port}), or {@code null}. */
    public String getPid() {
        return pid;
    }

    /** Mesos version, or {@code null} (old masters do not publish it). */
    public String getVersion() {
        return version;
    }

    /** Fault domain region, or {@code null}. */
    public String getRegion() {
        return region;
    }

    /** Fault domain zone, or {@code null}. */
    public String getZone() {
        return zone;
    }

    public List<String> getCapabilities() {
        return capabilities;
    }

    /** The ZooKeeper node the master registered, e.g. {@code /mesos/json.info_0000000003}. */
    public String getZnode() {
        return znode;
    }

    /** The node's sequence number; the lowest one leads. */
    public long getSequence() {
        return sequence;
    }

    /** How the node was encoded: {@code json}, {@code protobuf} or {@code upid}. */
    public String getFormat() {
        return format;
    }

    /** Whether this master leads. */
    public boolean isLeader() {
        return leader;
    }

    /** {@code ip:port} to reach the master (IPv6 bracketed). */
    public String address() {
        return ip.indexOf(':') >= 0 ? "[" + ip + "]:" + port : ip + ":" + port;
    }

    /** The core's JSON for this master. */
    public String toJson() {
        return json;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof MesosMaster && json.equals(((MesosMaster) other).json);
    }

    @Override
    public int hashCode() {
        return json.hashCode();
    }

    @Override
    public String toString() {
        return "MesosMaster " + id + " at " + address() + (leader ? " (leader)" : "")
                + " znode " + znode;
    }
}
