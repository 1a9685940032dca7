package org.wso2.carbon.clustering.mesos;

import java.util.List;

/**
 * Told by a {@link MembershipWatcher} when members appear or go. Called on the watcher's own
 * listener thread ({@code mesos-membership-watcher-N}), one call at a time, in order; a listener
 * that throws is logged and keeps being called. Named so as not to clash with Hazelcast's
 * {@code MembershipListener}.
 */
public interface MesosMembershipListener {

    /**
     * The member set changed. The first call brings every member known at that time as
     * {@code added}; after each call, the members this listener was told about (added minus
     * removed) are exactly the watcher's members at that generation. Changes that come faster
     * than the listener runs are merged (a member that appeared and went in between is not
     * reported). A member whose task is replaced at the same address is removed (old task) and
     * added (new task) in one call. Both lists are immutable and never {@code null}; one may be
     * empty.
     */
    void membersChanged(List<MesosMember> added, List<MesosMember> removed);
}
