package org.wso2.carbon.clustering.mesos;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Enumeration;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.Test;
import org.wso2.carbon.clustering.mesos.support.Tools;

/** The built JAR, as Carbon's dropins folder and a JVM will read it. */
public class JarContentsTest {

    static final String NATIVE = "org/wso2/carbon/clustering/mesos/internal/native/linux-x86_64/libmesos_discovery_jni.so";

    private static File jar() {
        File jar = new File(Tools.required("mesos.discovery.jar"));
        assertTrue(jar + " exists", jar.isFile());
        return jar;
    }

    @Test
    public void nameCarriesTheVersion() {
        assertEquals("mesos-membership-scheme-" + MesosDiscovery.nativeVersion() + ".jar", jar().getName());
    }

    @Test
    public void osgiManifest() throws Exception {
        JarFile jar = new JarFile(jar());
        try {
            Attributes main = jar.getManifest().getMainAttributes();
            assertEquals("2", main.getValue("Bundle-ManifestVersion"));
            assertEquals("org.wso2.carbon.clustering.mesos", main.getValue("Bundle-SymbolicName"));
            assertEquals(MesosDiscovery.nativeVersion(), main.getValue("Bundle-Version"));
            assertTrue(main.getValue("Export-Package"),
                    main.getValue("Export-Package").startsWith("org.wso2.carbon.clustering.mesos;"));
            assertFalse(main.getValue("Export-Package").contains(".internal"));
            for (String pkg : new String[] {"org.wso2.carbon.clustering.mesos.kernel47",
                "org.wso2.carbon.clustering.mesos.kernel48"}) {
                assertTrue(pkg + " exported", main.getValue("Export-Package").contains(pkg + ";version="));
            }
            String imports = main.getValue("Import-Package") + ",";
            // Required on every kernel line: no version ranges (Carbon ships Hazelcast 3.5 → 5.3).
            for (String pkg : new String[] {"com.hazelcast.config", "com.hazelcast.core",
                "org.apache.axis2.clustering", "org.apache.axis2.description", "org.apache.commons.logging"}) {
                assertTrue(pkg + " in " + imports, imports.contains(pkg + ","));
            }
            // Only on some lines: optional, or the bundle would not resolve on the others.
            for (String pkg : new String[] {"com.hazelcast.cluster", "org.wso2.carbon.core.clustering.hazelcast",
                "org.wso2.carbon.hazelcast"}) {
                assertTrue(pkg + " optional in " + imports, imports.contains(pkg + ";resolution:=optional,"));
            }
            assertFalse("no version ranges: " + imports, imports.contains("version="));
        } finally {
            jar.close();
        }
    }

    @Test
    public void nativeLibraryInsideForLinuxX8664() throws Exception {
        JarFile jar = new JarFile(jar());
        try {
            JarEntry entry = jar.getJarEntry(NATIVE);
            assertNotNull(NATIVE, entry);
            assertTrue(entry.getSize() > 100000);
            DataInputStream in = new DataInputStream(jar.getInputStream(entry));
            try {
                assertEquals("ELF magic", 0x7f454c46, in.readInt());
            } finally {
                in.close();
            }
        } finally {
            jar.close();
        }
    }

    @Test
    public void java7BytecodeForVariantAAndNoThirdPartyClasses() throws Exception {
        JarFile jar = new JarFile(jar());
        List<String> classes = new ArrayList<String>();
        try {
            Enumeration<JarEntry> entries = jar.entries();
            while (entries.hasMoreElements()) {
                JarEntry entry = entries.nextElement();
                String name = entry.getName();
                if (!name.endsWith(".class")) {
                    continue;
                }
                classes.add(name);
                assertTrue("only our classes: " + name, name.startsWith("org/wso2/carbon/clustering/mesos/"));
                DataInputStream in = new DataInputStream(jar.getInputStream(entry));
                try {
                    assertEquals(0xCAFEBABE, in.readInt());
                    in.readUnsignedShort();
                    // Variants B and C (kernels 4.7+, Hazelcast 4.2+) need Java 8 anyway;
                    // variant A and the core run on Carbon 4.4's Java 7.
                    boolean java8 = name.startsWith("org/wso2/carbon/clustering/mesos/kernel47/")
                            || name.startsWith("org/wso2/carbon/clustering/mesos/kernel48/")
                            || name.startsWith("org/wso2/carbon/clustering/mesos/hazelcast4/");
                    assertEquals(name + " is Java " + (java8 ? 8 : 7) + " bytecode", java8 ? 52 : 51,
                            in.readUnsignedShort());
                } finally {
                    in.close();
                }
            }
            assertTrue(classes.contains("org/wso2/carbon/clustering/mesos/MesosMembershipScheme.class"));
            assertTrue(classes.contains("org/wso2/carbon/clustering/mesos/MembershipSchemeCore.class"));
            assertTrue(classes.contains("org/wso2/carbon/clustering/mesos/kernel47/MesosMembershipScheme.class"));
            assertTrue(classes.contains("org/wso2/carbon/clustering/mesos/kernel48/MesosMembershipScheme.class"));
            assertTrue(classes.contains("org/wso2/carbon/clustering/mesos/internal/Native.class"));
            for (String forbidden : new String[] {"org/wso2/carbon/core/", "org/wso2/carbon/hazelcast/", "com/hazelcast/",
                "org/apache/"}) {
                for (String name : classes) {
                    assertFalse(name, name.startsWith(forbidden));
                }
            }
        } finally {
            jar.close();
        }
    }

    /**
     * Everything outside the scheme variants (the core, the Java API) names only the Hazelcast
     * types that are the same binary from 3.5 to 5.x (NOTES: carbon); Member, Cluster,
     * listeners and the rest stay in the variants, each compiled against its own major.
     */
    @Test
    public void theCoreNamesOnlyHazelcastTypesStableFrom35To5() throws Exception {
        List<String> stable = Arrays.asList("com/hazelcast/config/Config", "com/hazelcast/config/NetworkConfig",
                "com/hazelcast/config/JoinConfig", "com/hazelcast/config/TcpIpConfig",
                "com/hazelcast/config/MulticastConfig");
        Pattern hazelcastType = Pattern.compile("com/hazelcast/[A-Za-z0-9_/$]+");
        JarFile jar = new JarFile(jar());
        int checked = 0;
        try {
            Enumeration<JarEntry> entries = jar.entries();
            while (entries.hasMoreElements()) {
                String name = entries.nextElement().getName();
                boolean variant = name.startsWith("org/wso2/carbon/clustering/mesos/MesosMembershipScheme")
                        || name.startsWith("org/wso2/carbon/clustering/mesos/kernel4")
                        || name.startsWith("org/wso2/carbon/clustering/mesos/hazelcast4/");
                if (!name.endsWith(".class") || variant) {
                    continue;
                }
                checked++;
                // Class names sit in the constant pool as plain (modified UTF-8) text.
                String text = new String(readAll(jar.getInputStream(jar.getJarEntry(name))), "ISO-8859-1");
                Matcher m = hazelcastType.matcher(text);
                while (m.find()) {
                    assertTrue(name + " names " + m.group(), stable.contains(m.group()));
                }
            }
        } finally {
            jar.close();
        }
        assertTrue(checked > 20);
    }

    private static byte[] readAll(InputStream in) throws IOException {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buffer = new byte[8192];
            int n;
            while ((n = in.read(buffer)) > 0) {
                out.write(buffer, 0, n);
            }
            return out.toByteArray();
        } finally {
            in.close();
        }
    }

    /**
     * Two class loaders loading the JAR each get their own copy of the library (a fresh temp
     * file each), as after an OSGi bundle refresh: both work side by side.
     */
    @Test
    public void eachClassLoaderLoadsItsOwnCopy() throws Exception {
        for (int i = 0; i < 2; i++) {
            URLClassLoader loader = new URLClassLoader(new URL[] {jar().toURI().toURL()}, null);
            try {
                Class<?> api = Class.forName("org.wso2.carbon.clustering.mesos.MesosDiscovery", true, loader);
                assertTrue(api.getClassLoader() == loader);
                Method version = api.getMethod("nativeVersion");
                assertEquals(MesosDiscovery.nativeVersion(), version.invoke(null));
                Method keys = api.getMethod("knownKeys");
                assertTrue(((List<?>) keys.invoke(null)).contains("MARATHON_ENDPOINT"));
            } finally {
                loader.close();
            }
        }
    }
}
