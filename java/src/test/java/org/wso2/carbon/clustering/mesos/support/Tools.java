package org.wso2.carbon.clustering.mesos.support;

import java.io.File;

/** Where the test tools are: paths handed over by build.gradle as system properties. */
public final class Tools {

    private Tools() {
    }

    public static File root() {
        return new File(required("mesos.discovery.root"));
    }

    /** A binary of the cargo release build (CARGO_TARGET_DIR honoured by build.gradle). */
    public static File binary(String name) {
        File file = new File(required("mesos.discovery.cargo.release"), name);
        if (!file.canExecute()) {
            throw new AssertionError(file + " is missing: run tests/run-java (it builds the workbench and "
                    + "test tools with cargo) or `cargo build --release -p mesos-discovery-cli -p mesos-discovery-testkit`");
        }
        return file;
    }

    public static File cluster(String name) {
        return new File(root(), "tests/clusters/" + name);
    }

    public static String javaBinary() {
        return System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
    }

    public static String required(String property) {
        String value = System.getProperty(property);
        if (value == null || value.isEmpty()) {
            throw new AssertionError("system property " + property + " is not set: run the tests through gradle");
        }
        return value;
    }
}
