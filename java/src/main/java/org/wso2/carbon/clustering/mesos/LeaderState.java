package org.wso2.carbon.clustering.mesos;

/**
 * What a {@link LeaderWatcher} knows: the leading master ({@code null} while there is none or
 * it cannot be known), why it cannot be known (if so), and a generation number: 0 before the
 * first answer, then one more for every change of leader (to and from "no leader" included).
 */
public final class LeaderState {

    private final long generation;
    private final MesosMaster leader;
    private final String errorKind;
    private final String errorMessage;

    /** Called from native code. */
    LeaderState(long generation, MesosMaster leader, String errorKind, String errorMessage) {
        this.generation = generation;
        this.leader = leader;
        this.errorKind = errorKind;
        this.errorMessage = errorMessage;
    }

    public long getGeneration() {
        return generation;
    }

    /** The leading master, or {@code null}. */
    public MesosMaster getLeader() {
        return leader;
    }

    /**
     * When the leader is {@code null} for another reason than "no master registered" (session
     * expired, ZooKeeper unreachable, undecodable data): the core's error kind, else {@code null}.
     */
    public String getErrorKind() {
        return errorKind;
    }

    /** The message going with {@link #getErrorKind()}, or {@code null}. */
    public String getErrorMessage() {
        return errorMessage;
    }

    @Override
    public String toString() {
        return "LeaderState #" + generation + ": "
                + (leader != null ? leader.toString() : errorMessage != null ? "unknown (" + errorMessage + ")" : "no leader");
    }
}
