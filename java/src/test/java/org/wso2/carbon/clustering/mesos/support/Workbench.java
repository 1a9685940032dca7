package org.wso2.carbon.clustering.mesos.support;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The emulated Marathon + Mesos-DNS: {@code mesos-discovery workbench --cluster FILE}, on a free
 * loopback port, stopped when closed (or when this JVM dies: it stops at stdin EOF).
 */
public final class Workbench implements Closeable {

    private final ChildProcess process;
    private final String url;

    public Workbench(String clusterFile) throws Exception {
        this(Tools.cluster(clusterFile));
    }

    /** Serves a cluster description from any file (e.g. one a test wrote). */
    public Workbench(java.io.File clusterFile) throws Exception {
        process = new ChildProcess("workbench", Arrays.asList(
                Tools.binary("mesos-discovery").getPath(), "workbench",
                "--cluster", clusterFile.getPath(),
                "--listen", "127.0.0.1:0", "--stdin-eof-stops"));
        String first = process.nextLine(30);
        if (!first.startsWith("http://127.0.0.1:")) {
            process.close();
            throw new AssertionError("unexpected first line from the workbench: " + first + "\n" + process.output());
        }
        url = first.endsWith("/") ? first.substring(0, first.length() - 1) : first;
    }

    /** Base URL, e.g. {@code http://127.0.0.1:41234} (Marathon and Mesos-DNS both). */
    public String url() {
        return url;
    }

    /**
     * POSTs JSON to the admin API ({@code /_workbench/...}), or GETs when {@code json} is null;
     * returns the body, fails on non-2xx. Each call opens exactly one connection.
     */
    public String admin(String path, String json) throws IOException {
        HttpURLConnection c = (HttpURLConnection) new URL(url + path).openConnection();
        c.setConnectTimeout(5000);
        c.setReadTimeout(10000);
        c.setRequestMethod(json == null ? "GET" : "POST");
        // One connection per admin call, so tests can count the client's own connections.
        c.setRequestProperty("Connection", "close");
        if (json != null) {
            c.setDoOutput(true);
            c.setRequestProperty("Content-Type", "application/json");
            OutputStream out = c.getOutputStream();
            out.write(json.getBytes(StandardCharsets.UTF_8));
            out.close();
        }
        int status = c.getResponseCode();
        InputStream in = status < 400 ? c.getInputStream() : c.getErrorStream();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        if (in != null) {
            byte[] buffer = new byte[8192];
            int n;
            while ((n = in.read(buffer)) > 0) {
                body.write(buffer, 0, n);
            }
            in.close();
        }
        String text = new String(body.toByteArray(), StandardCharsets.UTF_8);
        if (status >= 300) {
            throw new IOException("workbench admin " + path + " answered " + status + ": " + text);
        }
        return text;
    }

    @Override
    public void close() {
        process.close();
    }
}
