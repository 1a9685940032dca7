package org.wso2.carbon.clustering.mesos;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.util.Arrays;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.Timeout;
import org.wso2.carbon.clustering.mesos.support.ChildProcess;
import org.wso2.carbon.clustering.mesos.support.Tools;

/** The loader's platform names, and its error for a platform the JAR does not carry. */
public class NativeLoaderTest {

    @Rule
    public Timeout timeout = Timeout.seconds(60);

    @Test
    public void platformNames() throws Exception {
        assertEquals("linux-x86_64", LoaderProbe.platform("Linux", "amd64"));
        assertEquals("linux-x86_64", LoaderProbe.platform("Linux", "x86_64"));
        assertEquals("linux-aarch64", LoaderProbe.platform("Linux", "aarch64"));
        assertEquals("darwin-aarch64", LoaderProbe.platform("Mac OS X", "aarch64"));
        assertEquals("darwin-x86_64", LoaderProbe.platform("Mac OS X", "x86_64"));
        assertEquals("windows-x86_64", LoaderProbe.platform("Windows 10", "amd64"));
        assertEquals("sunos-sparcv9", LoaderProbe.platform("SunOS", "sparcv9"));
    }

    @Test
    public void aMissingPlatformIsNamedInTheError() throws Exception {
        ChildProcess jvm = new ChildProcess("missing-platform", Arrays.asList(Tools.javaBinary(),
                "-Dos.arch=sparcv9", "-Djava.library.path=/nonexistent",
                "-cp", Tools.required("mesos.discovery.test.classpath"), LoaderProbe.class.getName()));
        String line = jvm.nextLine(60);
        jvm.close();
        assertTrue(line, line.startsWith("UnsatisfiedLinkError: mesos-discovery has no native library for platform linux-sparcv9"));
        assertTrue(line, line.contains("internal/native/linux-sparcv9/libmesos_discovery_jni.so"));
        assertTrue(line, line.contains("java.library.path"));
    }
}
