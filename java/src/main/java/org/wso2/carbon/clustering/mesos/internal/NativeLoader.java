package org.wso2.carbon.clustering.mesos.internal;

import java.io.File;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Locale;

/**
 * Loads the JNI library: the copy packed in the JAR for this platform, extracted to a fresh
 * temporary file (a library can be loaded by one class loader only, so every load, e.g. after
 * an OSGi bundle refresh, gets its own file), else one on {@code java.library.path}.
 *
 * <p>System properties: {@code mesos.discovery.native.library} loads that file instead;
 * {@code mesos.discovery.native.tmpdir} extracts somewhere other than {@code java.io.tmpdir}
 * (for servers whose temp folder is mounted {@code noexec}).
 */
final class NativeLoader {

    static final String LIBRARY = "mesos_discovery_jni";
    static final String RESOURCE_ROOT = "org/wso2/carbon/clustering/mesos/internal/native/";

    private NativeLoader() {
    }

    /** {@code linux}, {@code darwin}, {@code windows}, else the OS name squeezed. */
    static String os(String osName) {
        String name = osName.toLowerCase(Locale.ROOT);
        if (name.startsWith("linux")) {
            return "linux";
        }
        if (name.contains("mac") || name.contains("darwin")) {
            return "darwin";
        }
        if (name.startsWith("windows")) {
            return "windows";
        }
        return name.replaceAll("[^a-z0-9]", "");
    }

    /** {@code x86_64}, {@code aarch64}, else the architecture name squeezed. */
    static String arch(String osArch) {
        String arch = osArch.toLowerCase(Locale.ROOT);
        if (arch.equals("amd64") || arch.equals("x86_64") || arch.equals("x64")) {
            return "x86_64";
        }
        if (arch.equals("aarch64") || arch.equals("arm64")) {
            return "aarch64";
        }
        return arch.replaceAll("[^a-z0-9_]", "");
    }

    /** This JVM's platform name, e.g. {@code linux-x86_64}, {@code darwin-aarch64}. */
    static String platform() {
        return os(System.getProperty("os.name", "")) + "-" + arch(System.getProperty("os.arch", ""));
    }

    /** Where the JAR keeps the library for {@code platform}. */
    static String resourceFor(String platform) {
        return RESOURCE_ROOT + platform + "/" + System.mapLibraryName(LIBRARY);
    }

    static void load() {
        String explicit = System.getProperty("mesos.discovery.native.library");
        if (explicit != null && explicit.length() > 0) {
            System.load(new File(explicit).getAbsolutePath());
            return;
        }
        String platform = platform();
        String resource = resourceFor(platform);
        InputStream in = NativeLoader.class.getClassLoader() == null
                ? ClassLoader.getSystemResourceAsStream(resource)
                : NativeLoader.class.getClassLoader().getResourceAsStream(resource);
        if (in != null) {
            loadFromJar(in, resource);
            return;
        }
        try {
            System.loadLibrary(LIBRARY);
        } catch (UnsatisfiedLinkError e) {
            UnsatisfiedLinkError error = new UnsatisfiedLinkError(
                    "mesos-discovery has no native library for platform " + platform
                    + ": the JAR has no " + resource + " and there is no "
                    + System.mapLibraryName(LIBRARY) + " on java.library.path ("
                    + System.getProperty("java.library.path") + ")");
            error.initCause(e);
            throw error;
        }
    }

    private static void loadFromJar(InputStream in, String resource) {
        File file = null;
        try {
            String dir = System.getProperty("mesos.discovery.native.tmpdir");
            File tmpDir = dir != null && dir.length() > 0 ? new File(dir) : null;
            String name = System.mapLibraryName(LIBRARY);
            int dot = name.lastIndexOf('.');
            file = File.createTempFile(name.substring(0, dot) + "-", name.substring(dot), tmpDir);
            OutputStream out = new FileOutputStream(file);
            try {
                byte[] buffer = new byte[64 * 1024];
                int n;
                while ((n = in.read(buffer)) > 0) {
                    out.write(buffer, 0, n);
                }
            } finally {
                out.close();
            }
            System.load(file.getAbsolutePath());
        } catch (IOException e) {
            UnsatisfiedLinkError error = new UnsatisfiedLinkError(
                    "cannot extract the mesos-discovery native library " + resource
                    + " to a temporary file: " + e.getMessage());
            error.initCause(e);
            throw error;
        } finally {
            try {
                in.close();
            } catch (IOException ignored) {
                // nothing to do: the stream was only read
            }
            if (file != null) {
                // Once loaded the mapping stays valid, so the file can go now on Unix;
                // Windows keeps loaded files locked, so it goes at exit there.
                if (!file.delete()) {
                    file.deleteOnExit();
                }
            }
        }
    }
}
