package org.wso2.carbon.clustering.mesos.support;

import static org.junit.Assert.assertEquals;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.concurrent.TimeUnit;

import com.hazelcast.core.HazelcastInstance;

/** Waits and checks shared by the tests that form real Hazelcast clusters on loopback. */
public final class HazelcastSupport {

    private HazelcastSupport() {
    }

    /** Waits up to {@code seconds} until {@code instance} sees {@code size} members, then asserts it. */
    public static void awaitClusterSize(HazelcastInstance instance, int size, int seconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (instance.getCluster().getMembers().size() != size && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertEquals(instance.getName() + " sees " + instance.getCluster().getMembers(), size,
                instance.getCluster().getMembers().size());
    }

    /** Fails clearly when a loopback port a cluster file names is taken by something else. */
    public static void assertPortFree(int port) throws IOException {
        ServerSocket socket = new ServerSocket();
        try {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress("127.0.0.1", port));
        } catch (IOException e) {
            throw new AssertionError("port " + port + " (named by the test's cluster file) is busy: " + e);
        } finally {
            socket.close();
        }
    }
}
