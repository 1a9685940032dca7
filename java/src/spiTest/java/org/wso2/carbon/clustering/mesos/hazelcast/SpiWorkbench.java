package org.wso2.carbon.clustering.mesos.hazelcast;

import static org.junit.Assert.assertTrue;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.wso2.carbon.clustering.mesos.support.Workbench;

/**
 * The workbench with one Marathon app, {@code /hz/members}, that starts empty
 * (tests/clusters/hazelcast-spi.json): a test adds a task per member on a free loopback port,
 * then starts that member.
 */
final class SpiWorkbench implements Closeable {

    static final String APP = "/hz/members";

    private final Workbench workbench;

    SpiWorkbench() throws Exception {
        workbench = new Workbench("hazelcast-spi.json");
    }

    String url() {
        return workbench.url();
    }

    /** Adds a running task of {@link #APP} on a free loopback port; returns the port. */
    int addMemberTask() throws IOException {
        int port = freePort();
        String body = workbench.admin("/_workbench/tasks",
                "{\"app\": \"" + APP + "\", \"task\": {\"agent\": \"127.0.0.1\", \"ports\": [" + port + "]}}");
        Matcher m = Pattern.compile("\"task_id\"\\s*:\\s*\"([^\"]+)\"").matcher(body);
        assertTrue(body, m.find());
        return port;
    }

    /** The strategy's properties for this workbench, as a user would write them. */
    @SuppressWarnings("rawtypes")
    Map<String, Comparable> properties() {
        Map<String, Comparable> properties = new HashMap<String, Comparable>();
        properties.put("marathon-endpoint", url());
        properties.put("marathon-applications", APP);
        properties.put("mesos-discovery-deadline", 20);
        return properties;
    }

    @Override
    public void close() {
        workbench.close();
    }

    private static int freePort() throws IOException {
        ServerSocket socket = new ServerSocket();
        try {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress("127.0.0.1", 0));
            return socket.getLocalPort();
        } finally {
            socket.close();
        }
    }
}
