package org.wso2.carbon.clustering.mesos;

import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * The answer of one discovery: members sorted by host, port, app and task, one per address,
 * plus warnings about what was skipped (a missing app, a task without the port, …).
 */
public final class DiscoveryResult {

    private final List<MesosMember> members;
    private final List<String> warnings;

    /** Called from native code. */
    DiscoveryResult(MesosMember[] members, String[] warnings) {
        this.members = Collections.unmodifiableList(Arrays.asList(members));
        this.warnings = Collections.unmodifiableList(Arrays.asList(warnings));
    }

    public List<MesosMember> getMembers() {
        return members;
    }

    public List<String> getWarnings() {
        return warnings;
    }

    @Override
    public String toString() {
        return "DiscoveryResult" + members + (warnings.isEmpty() ? "" : " warnings " + warnings);
    }
}
