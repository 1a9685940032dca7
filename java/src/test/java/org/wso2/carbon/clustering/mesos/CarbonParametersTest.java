package org.wso2.carbon.clustering.mesos;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

import org.apache.axis2.description.Parameter;
import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.Timeout;
import org.wso2.carbon.clustering.mesos.internal.JulLogSink;
import org.wso2.carbon.clustering.mesos.internal.Native;
import org.wso2.carbon.clustering.mesos.support.Workbench;

/**
 * Carbon's three layers (environment &gt; system property &gt; axis2 parameter) are merged by
 * the core: shown end to end by which endpoint a discovery reaches. The working endpoint sits
 * in one layer, a refused one in the others.
 */
public class CarbonParametersTest {

    private static final String REFUSED = "http://127.0.0.1:1";

    @Rule
    public Timeout timeout = Timeout.seconds(120);

    private Workbench workbench;
    private int handlesBefore;

    @Before
    public void start() throws Exception {
        handlesBefore = Native.openHandles();
        workbench = new Workbench("hazelcast-live.json");
    }

    @After
    public void stop() {
        workbench.close();
        assertEquals("every watcher freed", handlesBefore, Native.openHandles());
    }

    private static Map<String, Parameter> parameters(String... pairs) {
        Map<String, Parameter> map = new HashMap<String, Parameter>();
        map.put("membershipScheme", new Parameter("membershipScheme", "mesos"));
        map.put("domain", new Parameter("domain", "wso2.carbon.domain"));
        map.put("MARATHON_APPLICATIONS", new Parameter("MARATHON_APPLICATIONS", "/wso2/manager,/wso2/worker"));
        map.put("MESOS_DISCOVERY_RETRIES", new Parameter("MESOS_DISCOVERY_RETRIES", "0"));
        for (int i = 0; i < pairs.length; i += 2) {
            map.put(pairs[i], new Parameter(pairs[i], pairs[i + 1]));
        }
        return map;
    }

    private static Properties properties(String... pairs) {
        Properties p = new Properties();
        p.setProperty("java.version", "not ours");
        for (int i = 0; i < pairs.length; i += 2) {
            p.setProperty(pairs[i], pairs[i + 1]);
        }
        return p;
    }

    private static Map<String, String> env(String... pairs) {
        Map<String, String> e = new HashMap<String, String>();
        e.put("PATH", "/usr/bin");
        for (int i = 0; i < pairs.length; i += 2) {
            e.put(pairs[i], pairs[i + 1]);
        }
        return e;
    }

    /** Starts a watcher after one discovery from the layers; returns its member count. */
    private int discover(Map<String, Parameter> parameters, Map<String, String> env, Properties properties)
            throws MesosDiscoveryException {
        Map<String, String> layers = CarbonParameters.resolve(parameters, MesosDiscovery.knownKeys(), env,
                properties);
        MembershipWatcher w = new MembershipWatcher(layers, true, new JulLogSink("test"));
        try {
            return w.snapshot().getMembers().size();
        } finally {
            w.close();
        }
    }

    @Test
    public void theEnvironmentWinsThenTheSystemPropertyThenTheParameter() throws Exception {
        String good = workbench.url();
        assertEquals(2, discover(parameters("MARATHON_ENDPOINT", REFUSED),
                env("MARATHON_ENDPOINT", good), properties("MARATHON_ENDPOINT", REFUSED)));
        assertEquals("a blank variable shows the property", 2, discover(parameters("MARATHON_ENDPOINT", REFUSED),
                env("MARATHON_ENDPOINT", "  "), properties("MARATHON_ENDPOINT", good)));
        assertEquals("a blank property shows the parameter", 2, discover(parameters("MARATHON_ENDPOINT", good),
                env(), properties("MARATHON_ENDPOINT", " ")));
        try {
            discover(parameters("MARATHON_ENDPOINT", good), env("MARATHON_ENDPOINT", REFUSED),
                    properties("MARATHON_ENDPOINT", good));
            fail("the environment's endpoint is used");
        } catch (MesosNetworkException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("127.0.0.1:1"));
        }
    }

    @Test
    public void onlyOurParametersAreHandedOnAndTyposAreNamed() throws Exception {
        Map<String, String> layers = CarbonParameters.resolve(parameters("MARATHON_APPLICATOINS", "/typo"),
                MesosDiscovery.knownKeys(), env(), properties());
        assertFalse("Carbon's own parameters stay out", layers.containsKey("domain"));
        assertFalse(layers.containsKey("membershipScheme"));
        assertEquals("/typo", layers.get("MARATHON_APPLICATOINS"));
        try {
            new MembershipWatcher(layers, true, new JulLogSink("test"));
            fail();
        } catch (MesosConfigException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("MARATHON_APPLICATOINS"));
        }
    }
}
