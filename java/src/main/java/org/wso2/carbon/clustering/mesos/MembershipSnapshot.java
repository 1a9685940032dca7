package org.wso2.carbon.clustering.mesos;

import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * What a {@link MembershipWatcher} knows: the members (sorted by host, port, app and task, one
 * per address), the warnings of the last look, and a generation number: 0 before the first
 * discovery completes, then one more for every change of the member set (a member's identity
 * is its host, port, app and task; a change of state or health alone keeps the generation).
 * While the watcher cannot refresh, the members stay those of its last successful look and
 * {@link #getErrorKind()} / {@link #getErrorMessage()} say why.
 */
public final class MembershipSnapshot {

    private final long generation;
    private final List<MesosMember> members;
    private final List<String> warnings;
    private final String errorKind;
    private final String errorMessage;

    /** Called from native code. */
    MembershipSnapshot(long generation, MesosMember[] members, String[] warnings, String errorKind,
            String errorMessage) {
        this.generation = generation;
        this.members = Collections.unmodifiableList(Arrays.asList(members));
        this.warnings = Collections.unmodifiableList(Arrays.asList(warnings));
        this.errorKind = errorKind;
        this.errorMessage = errorMessage;
    }

    public long getGeneration() {
        return generation;
    }

    public List<MesosMember> getMembers() {
        return members;
    }

    public List<String> getWarnings() {
        return warnings;
    }

    /** The core's error kind of the last failed refresh while it still fails, else {@code null}. */
    public String getErrorKind() {
        return errorKind;
    }

    /** The message going with {@link #getErrorKind()}, or {@code null}. */
    public String getErrorMessage() {
        return errorMessage;
    }

    @Override
    public String toString() {
        return "MembershipSnapshot #" + generation + ": " + members
                + (errorMessage == null ? "" : " (refresh failing: " + errorMessage + ")");
    }
}
