package org.wso2.carbon.clustering.mesos.support;

import java.io.Closeable;
import java.io.File;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** A real ZooKeeper (tests/support/zk-server) and fake Mesos masters (mesos-master-sim). */
public final class ZooKeeper implements Closeable {

    private final ChildProcess server;
    private final String hostPort;
    private final List<ChildProcess> masters = new ArrayList<ChildProcess>();

    public ZooKeeper() throws Exception {
        server = new ChildProcess("zk-server", Arrays.asList(
                new File(Tools.root(), "tests/support/zk-server").getPath()));
        hostPort = server.nextLine(90);
    }

    public String url(String path) {
        return "zk://" + hostPort + path;
    }

    /** Registers a fake master (JSON MasterInfo) under {@code /mesos}; returns it once its znode exists. */
    public ChildProcess startMaster(String id, int port) throws Exception {
        ChildProcess master = new ChildProcess("master-" + id, Arrays.asList(
                Tools.binary("mesos-master-sim").getPath(), "--zk", url("/mesos"),
                "--id", id, "--ip", "127.0.0.1", "--port", String.valueOf(port),
                "--hostname", "master-" + id + ".test"));
        String znode = master.nextLine(30);
        if (!znode.startsWith("/mesos/")) {
            master.close();
            throw new AssertionError("mesos-master-sim printed " + znode + "\n" + master.output());
        }
        masters.add(master);
        return master;
    }

    @Override
    public void close() {
        for (ChildProcess master : masters) {
            master.close();
        }
        server.close();
    }
}
