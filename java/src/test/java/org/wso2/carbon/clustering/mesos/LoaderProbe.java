package org.wso2.carbon.clustering.mesos;

import java.lang.reflect.Method;

import org.wso2.carbon.clustering.mesos.internal.Native;

/** Runs in a second JVM for {@link NativeLoaderTest}: prints what loading the library gives. */
public final class LoaderProbe {

    private LoaderProbe() {
    }

    /** NativeLoader's platform name for an os.name / os.arch pair (package-private there). */
    static String platform(String os, String arch) throws Exception {
        Class<?> loader = Class.forName("org.wso2.carbon.clustering.mesos.internal.NativeLoader");
        Method osMethod = loader.getDeclaredMethod("os", String.class);
        Method archMethod = loader.getDeclaredMethod("arch", String.class);
        osMethod.setAccessible(true);
        archMethod.setAccessible(true);
        return osMethod.invoke(null, os) + "-" + archMethod.invoke(null, arch);
    }

    public static void main(String[] args) {
        try {
            Native.ensureLoaded();
            System.out.println("loaded " + Native.version());
        } catch (UnsatisfiedLinkError e) {
            System.out.println("UnsatisfiedLinkError: " + e.getMessage());
        }
    }
}
