package org.wso2.carbon.clustering.mesos;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

import com.hazelcast.config.Config;
import org.apache.axis2.clustering.ClusteringFault;
import org.apache.axis2.clustering.ClusteringMessage;
import org.apache.axis2.description.Parameter;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.Timeout;
import org.wso2.carbon.clustering.mesos.support.Tools;
import org.wso2.carbon.clustering.mesos.support.Workbench;

/**
 * The Carbon scheme reaching a DC/OS strict-mode workbench: Marathon and Mesos-DNS need a token
 * from the workbench's ACS login endpoint, and the scheme logs in with the service-account
 * credential given as the DCOS_SERVICE_ACCOUNT_CREDENTIAL parameter. The RSA key pair is made
 * here (no private key is committed). Uses only the scheme's public constructor and init().
 */
public class StrictModeSchemeTest {

    @Rule
    public Timeout timeout = Timeout.seconds(60);

    private static final String UID = "carbon-java";
    private static final String LOGIN_PATH = "/acs/api/v1/auth/login";

    private static Workbench workbench;
    private static File clusterFile;
    private static KeyPair keys;

    private static String pem(String type, byte[] der) {
        String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
        return "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n";
    }

    private static String json(String text) {
        return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + "\"";
    }

    private static KeyPair rsa() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        return generator.generateKeyPair();
    }

    @BeforeClass
    public static void start() throws Exception {
        keys = rsa();
        String cluster = new String(Files.readAllBytes(Tools.cluster("hazelcast-local.json").toPath()),
                StandardCharsets.UTF_8);
        String auth = "\"auth\": {\"acs\": {\"service_accounts\": [{\"uid\": " + json(UID) + ", \"public_key\": "
                + json(pem("PUBLIC KEY", keys.getPublic().getEncoded())) + "}], \"token_lifetime_secs\": 3600}},";
        clusterFile = File.createTempFile("strict-cluster", ".json");
        int open = cluster.indexOf('{') + 1;
        String strict = cluster.substring(0, open) + auth + cluster.substring(open);
        Files.write(clusterFile.toPath(), strict.getBytes(StandardCharsets.UTF_8));
        workbench = new Workbench(clusterFile);
    }

    @AfterClass
    public static void stop() {
        if (workbench != null) {
            workbench.close();
        }
        if (clusterFile != null) {
            clusterFile.delete();
        }
    }

    private static String credential(KeyPair pair) {
        return "{\"uid\": " + json(UID) + ", \"private_key\": " + json(pem("PRIVATE KEY", pair.getPrivate().getEncoded()))
                + ", \"login_endpoint\": " + json(workbench.url() + LOGIN_PATH) + ", \"scheme\": \"RS256\"}";
    }

    private static MesosMembershipScheme scheme(Config config, String... pairs) {
        Map<String, Parameter> parameters = new HashMap<String, Parameter>();
        parameters.put("membershipScheme", new Parameter("membershipScheme", "mesos"));
        for (int i = 0; i < pairs.length; i += 2) {
            parameters.put(pairs[i], new Parameter(pairs[i], pairs[i + 1]));
        }
        return new MesosMembershipScheme(parameters, "wso2.carbon.domain", config, null,
                new ArrayList<ClusteringMessage>());
    }

    @Test
    public void initLogsInAndSeedsEveryMember() throws Exception {
        for (String discovery : new String[] {"Marathon", "MesosDNS"}) {
            Config config = new Config();
            MesosMembershipScheme scheme = scheme(config, "MESOS_MEMBER_DISCOVERY_SCHEME", discovery,
                    "MARATHON_ENDPOINT", workbench.url(), "MESOS_DNS_ENDPOINT", workbench.url(),
                    "MARATHON_APPLICATIONS", "/wso2/manager,/wso2/worker",
                    "DCOS_SERVICE_ACCOUNT_CREDENTIAL", credential(keys));
            try {
                scheme.init();
                assertTrue(config.getNetworkConfig().getJoin().getTcpIpConfig().isEnabled());
                assertEquals(discovery, Arrays.asList("127.0.0.1:25701", "127.0.0.1:25702", "127.0.0.1:25703"),
                        config.getNetworkConfig().getJoin().getTcpIpConfig().getMembers());
            } finally {
                scheme.close();
            }
        }
    }

    @Test
    public void withoutTheCredentialStrictModeRefuses() throws Exception {
        MesosMembershipScheme scheme = scheme(new Config(), "MARATHON_ENDPOINT", workbench.url(),
                "MARATHON_APPLICATIONS", "/wso2/manager", "MESOS_DISCOVERY_RETRIES", "0");
        try {
            scheme.init();
            fail();
        } catch (ClusteringFault e) {
            assertTrue(String.valueOf(e.getCause()), e.getCause() instanceof MesosAuthException);
        } finally {
            scheme.close();
        }
    }

    @Test
    public void aRefusedLoginNamesTheLoginEndpointAndNoSecret() throws Exception {
        KeyPair other = rsa();
        MesosMembershipScheme scheme = scheme(new Config(), "MARATHON_ENDPOINT", workbench.url(),
                "MARATHON_APPLICATIONS", "/wso2/manager", "DCOS_SERVICE_ACCOUNT_CREDENTIAL", credential(other));
        try {
            scheme.init();
            fail();
        } catch (ClusteringFault e) {
            assertTrue(String.valueOf(e.getCause()), e.getCause() instanceof MesosAuthException);
            assertTrue(e.getMessage(), e.getMessage().contains(workbench.url() + LOGIN_PATH));
            assertFalse(e.getMessage(), e.getMessage().contains("eyJ"));
            String keyLine = pem("PRIVATE KEY", other.getPrivate().getEncoded()).split("\n")[1];
            assertFalse(e.getMessage(), e.getMessage().contains(keyLine));
        } finally {
            scheme.close();
        }
    }
}
