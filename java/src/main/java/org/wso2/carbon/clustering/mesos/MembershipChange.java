package org.wso2.carbon.clustering.mesos;

import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * One change of a {@link MembershipWatcher}'s member set, as the native core computed it: the
 * members that appeared, those that went, and the whole set after the change, numbered by
 * generation (the same numbers as {@link MembershipSnapshot#getGeneration()}). A member's
 * identity is its host, port, app and task; a new state or health alone is no change.
 *
 * <p>A {@linkplain #isResync() resync} is not a change: the reader fell further behind than the
 * core keeps changes, and gets the whole current set ({@link #getMembers()}) with empty
 * added/removed lists, to start over from.
 */
public final class MembershipChange {

    private final long generation;
    private final List<MesosMember> added;
    private final List<MesosMember> removed;
    private final List<MesosMember> members;
    private final boolean resync;

    /** Called from native code. */
    MembershipChange(long generation, MesosMember[] added, MesosMember[] removed, MesosMember[] members,
            boolean resync) {
        this.generation = generation;
        this.added = Collections.unmodifiableList(Arrays.asList(added));
        this.removed = Collections.unmodifiableList(Arrays.asList(removed));
        this.members = Collections.unmodifiableList(Arrays.asList(members));
        this.resync = resync;
    }

    public long getGeneration() {
        return generation;
    }

    public List<MesosMember> getAdded() {
        return added;
    }

    public List<MesosMember> getRemoved() {
        return removed;
    }

    /** Every member after this change, sorted as in {@link MembershipSnapshot#getMembers()}. */
    public List<MesosMember> getMembers() {
        return members;
    }

    public boolean isResync() {
        return resync;
    }

    @Override
    public String toString() {
        return resync ? "MembershipChange #" + generation + " (resync): " + members
                : "MembershipChange #" + generation + ": +" + added + " -" + removed;
    }
}
