package org.wso2.carbon.clustering.mesos.hazelcast;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.File;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.ServiceLoader;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.spi.discovery.DiscoveryStrategyFactory;
import org.junit.Test;
import org.wso2.carbon.clustering.mesos.support.Tools;

/**
 * The built plugin JAR, as a user gets it: the classes under test come from it, it registers
 * the factory, carries the native library, and every class in it links with nothing but
 * Hazelcast beside it (no Carbon, axis2 or commons-logging).
 */
public class HazelcastSpiJarTest {

    private static final File JAR = new File(Tools.required("mesos.discovery.plugin.jar"));

    @Test
    public void theTestsRunTheBuiltJarOnTheExpectedHazelcast() throws Exception {
        assertEquals(JAR.getCanonicalFile(), codeSource(MesosDiscoveryStrategyFactory.class));
        String hazelcastJar = codeSource(HazelcastInstance.class).getName();
        assertEquals("hazelcast-" + Tools.required("mesos.discovery.hazelcast.version") + ".jar", hazelcastJar);
    }

    @Test
    public void hazelcastFindsTheFactoryThroughTheServicesFile() {
        List<String> found = new ArrayList<String>();
        for (DiscoveryStrategyFactory factory : ServiceLoader.load(DiscoveryStrategyFactory.class)) {
            found.add(factory.getClass().getName());
            if (factory instanceof MesosDiscoveryStrategyFactory) {
                assertEquals(MesosDiscoveryStrategy.class, factory.getDiscoveryStrategyType());
            }
        }
        assertTrue(found.toString(), found.contains(MesosDiscoveryStrategyFactory.class.getName()));
    }

    @Test
    public void everyClassLinksWithHazelcastAloneAndTheNativeLibraryIsInside() throws Exception {
        JarFile jar = new JarFile(JAR);
        int classes = 0;
        boolean nativeLibrary = false;
        try {
            for (Enumeration<JarEntry> entries = jar.entries(); entries.hasMoreElements();) {
                String name = entries.nextElement().getName();
                if (name.startsWith("org/wso2/carbon/clustering/mesos/internal/native/")
                        && name.endsWith(System.mapLibraryName("mesos_discovery_jni"))) {
                    nativeLibrary = true;
                }
                if (!name.endsWith(".class")) {
                    continue;
                }
                Class<?> c = Class.forName(name.substring(0, name.length() - 6).replace('/', '.'), false,
                        HazelcastSpiJarTest.class.getClassLoader());
                // Resolving every member's types fails with NoClassDefFoundError on a missing dependency.
                c.getDeclaredMethods();
                c.getDeclaredFields();
                c.getDeclaredConstructors();
                c.getInterfaces();
                classes++;
            }
        } finally {
            jar.close();
        }
        assertTrue("the native library for " + System.getProperty("os.arch") + " is in " + JAR, nativeLibrary);
        assertTrue(classes + " classes", classes > 10);
        assertFalse("the Carbon scheme is not in the plugin JAR",
                new JarFile(JAR).getEntry("org/wso2/carbon/clustering/mesos/MesosMembershipScheme.class") != null);
    }

    private static File codeSource(Class<?> c) throws Exception {
        return new File(c.getProtectionDomain().getCodeSource().getLocation().toURI()).getCanonicalFile();
    }
}
