package org.wso2.carbon.clustering.mesos.support;

import java.io.BufferedReader;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A helper process (workbench, ZooKeeper, fake master) that prints what the test needs on its
 * first stdout line. Its output is drained on daemon threads (so it never blocks on a full
 * pipe) and kept for failure messages. {@link #close()} closes its stdin (which stops the
 * tools by themselves), then destroys it if it is still running.
 */
public final class ChildProcess implements Closeable {

    private final String name;
    private final Process process;
    private final BlockingQueue<String> stdoutLines = new LinkedBlockingQueue<String>();
    private final StringBuffer output = new StringBuffer();

    public ChildProcess(String name, List<String> command) throws IOException {
        this.name = name;
        ProcessBuilder builder = new ProcessBuilder(command);
        this.process = builder.start();
        pump(process.getInputStream(), true);
        pump(process.getErrorStream(), false);
    }

    private void pump(final InputStream in, final boolean stdout) {
        Thread t = new Thread(new Runnable() {
            @Override
            public void run() {
                try {
                    BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
                    String line;
                    while ((line = reader.readLine()) != null) {
                        output.append(stdout ? "out| " : "err| ").append(line).append('\n');
                        if (stdout) {
                            stdoutLines.add(line);
                        }
                    }
                } catch (IOException ignored) {
                    // the process ended
                }
            }
        }, name + "-" + (stdout ? "stdout" : "stderr"));
        t.setDaemon(true);
        t.start();
    }

    /** The next stdout line, waiting up to {@code seconds}; fails with the output so far. */
    public String nextLine(long seconds) throws InterruptedException {
        String line = stdoutLines.poll(seconds, TimeUnit.SECONDS);
        if (line == null) {
            throw new AssertionError(name + " printed no line within " + seconds + " s (alive: "
                    + isAlive() + ")\n" + output);
        }
        return line.trim();
    }

    public boolean isAlive() {
        try {
            process.exitValue();
            return false;
        } catch (IllegalThreadStateException e) {
            return true;
        }
    }

    public String output() {
        return output.toString();
    }

    /** Stops it: stdin closed, then SIGTERM after 3 s, then SIGKILL; waits up to 10 s. */
    @Override
    public void close() {
        try {
            process.getOutputStream().close();
        } catch (IOException ignored) {
            // already gone
        }
        try {
            if (!process.waitFor(3, TimeUnit.SECONDS)) {
                process.destroy();
                if (!process.waitFor(5, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /** Stops it abruptly (SIGKILL), as a crash would. */
    public void kill() throws InterruptedException {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
}
