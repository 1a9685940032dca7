package org.wso2.carbon.clustering.mesos.carbon;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import java.io.File;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.After;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.Timeout;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.launch.FrameworkFactory;
import org.wso2.carbon.clustering.mesos.support.Tools;
import org.wso2.carbon.clustering.mesos.support.Workbench;

/**
 * The JAR inside a real OSGi framework, Eclipse Equinox (which Carbon runs on), with the real
 * Hazelcast bundle of the variant's line, commons-logging, axis2 wrapped as a bundle, and a
 * bundle carrying the variant's Carbon stub packages (gradle/carbon.gradle builds them): the
 * JAR resolves and starts; the scheme class loads the way Carbon loads it (by name, from
 * Carbon's bundle, which has {@code DynamicImport-Package: *}); and it works there: its
 * {@code init()} loads the native library through the bundle's class loader and seeds the
 * TCP/IP join list from the workbench's Marathon.
 */
public class CarbonOsgiTest {

    @Rule
    public Timeout timeout = Timeout.seconds(180);

    private Framework framework;
    private Workbench workbench;

    @After
    public void stop() throws Exception {
        if (framework != null) {
            framework.stop();
            framework.waitForStop(30000);
        }
        if (workbench != null) {
            workbench.close();
        }
    }

    @Test
    public void variantAOnHazelcast3() throws Exception {
        runIn(CarbonVariant.A, "carbon.osgi.hazelcast3", "carbonStubsA.jar", 25901);
    }

    @Test
    public void variantBOnHazelcast5() throws Exception {
        runIn(CarbonVariant.B, "carbon.osgi.hazelcast5", "carbonStubsB.jar", 25902);
    }

    @Test
    public void variantCOnHazelcast5() throws Exception {
        runIn(CarbonVariant.C, "carbon.osgi.hazelcast5", "carbonStubsC.jar", 25903);
    }

    private void runIn(CarbonVariant variant, String hazelcastProperty, String carbonStubs, int port) throws Exception {
        File hazelcastJar = new File(Tools.required(hazelcastProperty));
        File bundles = new File(Tools.required("carbon.osgi.bundles"));
        File ours = new File(Tools.required("mesos.discovery.jar"));

        Map<String, String> properties = new HashMap<String, String>();
        properties.put(Constants.FRAMEWORK_STORAGE,
                new File(Tools.required("carbon.osgi.storage"), variant.name()).getAbsolutePath());
        properties.put(Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT);
        framework = ServiceLoader.load(FrameworkFactory.class).iterator().next().newFramework(properties);
        framework.start();
        BundleContext context = framework.getBundleContext();

        List<Bundle> installed = new ArrayList<Bundle>();
        Bundle hazelcast = install(context, hazelcastJar, installed);
        install(context, new File(Tools.required("carbon.osgi.commonsLogging")), installed);
        Bundle axis2 = install(context, new File(bundles, "axis2Bundle.jar"), installed);
        Bundle carbon = install(context, new File(bundles, carbonStubs), installed);
        Bundle scheme = install(context, ours, installed);
        for (Bundle b : installed) {
            b.start();
        }
        for (Bundle b : installed) {
            assertEquals(b.getSymbolicName() + " " + b.getVersion() + " active", Bundle.ACTIVE, b.getState());
        }
        assertEquals("org.wso2.carbon.clustering.mesos", scheme.getSymbolicName());
        String hazelcastVersion = hazelcast.getVersion().toString();

        // Carbon: Class.forName(className) in its agent's bundle (DynamicImport-Package: *).
        Class<?> schemeClass = carbon.loadClass(variant.schemeClass);
        assertTrue("the scheme comes from the JAR's bundle",
                schemeClass.getClassLoader() == scheme.loadClass(variant.schemeClass).getClassLoader());
        Class<?> api = carbon.loadClass(variant.interfaceName());
        assertTrue(variant.schemeClass + " implements Carbon's " + api.getName(), api.isAssignableFrom(schemeClass));
        // The other variants' classes are in the same resolved bundle but cannot link here:
        // what a wrong membershipSchemeClassName gives on this kernel line.
        for (CarbonVariant other : CarbonVariant.values()) {
            if (other != variant) {
                assertDoesNotLink(carbon, other);
            }
        }
        Class<?> config = hazelcast.loadClass("com.hazelcast.config.Config");
        Constructor<?> constructor = schemeClass.getConstructor(Map.class, String.class, config,
                hazelcast.loadClass("com.hazelcast.core.HazelcastInstance"), List.class);

        // init() inside the framework: the native library loads through the bundle's loader,
        // discovery runs against the workbench, the join list is seeded.
        workbench = new Workbench("carbon-matrix.json");
        String body = workbench.admin("/_workbench/tasks",
                "{\"app\": \"/wso2/worker\", \"task\": {\"agent\": \"127.0.0.1\", \"ports\": [" + port + "]}}");
        Matcher m = Pattern.compile("\"task_id\"").matcher(body);
        assertTrue(body, m.find());
        Class<?> parameter = axis2.loadClass("org.apache.axis2.description.Parameter");
        Constructor<?> newParameter = parameter.getConstructor(String.class, Object.class);
        Map<String, Object> parameters = new HashMap<String, Object>();
        parameters.put("MARATHON_ENDPOINT", newParameter.newInstance("MARATHON_ENDPOINT", workbench.url()));
        parameters.put("MARATHON_APPLICATIONS", newParameter.newInstance("MARATHON_APPLICATIONS", "/wso2/worker"));
        Object hazelcastConfig = config.getConstructor().newInstance();
        Object instance = constructor.newInstance(parameters, "wso2.carbon.domain", hazelcastConfig, null,
                new ArrayList<Object>());
        try {
            api.getMethod("init").invoke(instance);
        } catch (InvocationTargetException e) {
            throw new AssertionError("init() inside Equinox failed: " + e.getCause(), e.getCause());
        }
        Object join = Reflect.call(Reflect.call(hazelcastConfig, "getNetworkConfig"), "getJoin");
        List<?> members = (List<?>) Reflect.call(Reflect.call(join, "getTcpIpConfig"), "getMembers");
        assertEquals("join list seeded inside Equinox", "[127.0.0.1:" + port + "]", String.valueOf(members));
        ((java.io.Closeable) instance).close();

        Class<?> discovery = scheme.loadClass("org.wso2.carbon.clustering.mesos.MesosDiscovery");
        Object nativeVersion = discovery.getMethod("nativeVersion").invoke(null);
        assertEquals("the native library's version is the bundle's", scheme.getVersion().toString(), nativeVersion);
        assertNotNull(nativeVersion);
        System.out.println("Carbon OSGi: Equinox " + framework.getVersion() + ", Hazelcast bundle " + hazelcastVersion
                + " × variant " + variant + " (" + variant.schemeClass + "): resolved, started, init() seeded "
                + members + ", native library " + nativeVersion);
    }

    private static void assertDoesNotLink(Bundle carbon, CarbonVariant other) {
        try {
            Class<?> wrong = carbon.loadClass(other.schemeClass);
            wrong.getConstructors();
            wrong.getMethods();
            throw new AssertionError(other.schemeClass + " linked on the wrong kernel line");
        } catch (ClassNotFoundException e) {
            throw new AssertionError(other.schemeClass + " not in the bundle", e);
        } catch (LinkageError expected) {
            System.out.println("Carbon OSGi: variant " + other + " on this line: " + expected);
        }
    }

    private static Bundle install(BundleContext context, File file, List<Bundle> installed) throws Exception {
        assertTrue(file + " exists", file.isFile());
        JarFile jar = new JarFile(file);
        try {
            assertNotNull(file + " is a bundle", jar.getManifest().getMainAttributes().getValue("Bundle-SymbolicName"));
        } finally {
            jar.close();
        }
        Bundle bundle = context.installBundle(file.toURI().toString());
        installed.add(bundle);
        return bundle;
    }
}
