package org.wso2.carbon.clustering.mesos;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;

import java.util.Arrays;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.Timeout;
import org.wso2.carbon.clustering.mesos.support.ChildProcess;
import org.wso2.carbon.clustering.mesos.support.Tools;
import org.wso2.carbon.clustering.mesos.support.Workbench;

/**
 * {@code -Xcheck:jni} validates every JNI call the bridge makes and prints a WARNING (or
 * aborts) on misuse: local reference overflow, calls with an exception pending, wrong types.
 * The whole test JVM runs with it too; here a second JVM runs {@link JniExercise} and its
 * output must hold no such line.
 */
public class JniCheckTest {

    @Rule
    public Timeout timeout = Timeout.seconds(120);

    @Test
    public void checkJniFindsNothing() throws Exception {
        Workbench workbench = new Workbench("hazelcast-local.json");
        try {
            ChildProcess jvm = new ChildProcess("xcheck-jni", Arrays.asList(Tools.javaBinary(), "-Xcheck:jni",
                    "-cp", Tools.required("mesos.discovery.test.classpath"),
                    JniExercise.class.getName(), workbench.url()));
            String first = jvm.nextLine(90);
            jvm.close();
            String output = jvm.output();
            assertEquals(output, "JNI exercise done", first);
            // HotSpot's -Xcheck:jni reports: "WARNING in native method: …", "WARNING: JNI local
            // refs: N, exceeds capacity: M", "FATAL ERROR in native method: …". (The core's own
            // warnings, routed to java.util.logging, also print "WARNING:", so match exactly.)
            assertFalse(output, output.contains("in native method"));
            assertFalse(output, output.contains("JNI local refs"));
            assertFalse(output, output.contains("JNI call made"));
            assertFalse(output, output.contains("FATAL"));
            // The exercise's panic is caught: its message is printed by Rust's panic hook, once.
            assertEquals(output, 1, output.split("panicked at", -1).length - 1);
        } finally {
            workbench.close();
        }
    }
}
