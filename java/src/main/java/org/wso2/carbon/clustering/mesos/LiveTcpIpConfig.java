package org.wso2.carbon.clustering.mesos;

import java.util.ArrayList;
import java.util.List;
import java.util.StringTokenizer;
import java.util.concurrent.CopyOnWriteArrayList;

import com.hazelcast.config.TcpIpConfig;

/**
 * Hazelcast's TCP/IP join configuration, safe to change while the instance runs. Hazelcast's
 * own keeps its members in an {@code ArrayList} that its joiner and split-brain handler iterate
 * on their threads; changing it from the membership watcher's thread could throw
 * {@code ConcurrentModificationException} inside Hazelcast (cancelling its periodic merge
 * search) or not be seen at all. This one keeps them in a {@link CopyOnWriteArrayList}: every
 * read is a consistent snapshot and every write is visible to every thread.
 *
 * <p>{@link #getMembers()} returns the live list (writes through it are safe too).
 * {@code equals}/{@code hashCode} are Hazelcast's (final), which do not see these members.
 */
final class LiveTcpIpConfig extends TcpIpConfig {

    private final CopyOnWriteArrayList<String> members = new CopyOnWriteArrayList<String>();

    /** A copy of {@code original}: enabled flag, connection timeout, required member, members. */
    LiveTcpIpConfig(TcpIpConfig original) {
        setEnabled(original.isEnabled());
        setConnectionTimeoutSeconds(original.getConnectionTimeoutSeconds());
        if (original.getRequiredMember() != null) {
            setRequiredMember(original.getRequiredMember());
        }
        members.addAll(original.getMembers());
    }

    @Override
    public List<String> getMembers() {
        return members;
    }

    /** Replaces the members; addresses in both lists stay listed throughout. */
    @Override
    public synchronized TcpIpConfig setMembers(List<String> newMembers) {
        if (newMembers == null) {
            throw new NullPointerException("members can't be null");
        }
        List<String> parsed = new ArrayList<String>();
        for (String member : newMembers) {
            parsed.addAll(split(member));
        }
        members.retainAll(parsed);
        for (String member : parsed) {
            members.addIfAbsent(member);
        }
        return this;
    }

    /** As Hazelcast's: a comma-separated list is split, each entry trimmed. */
    @Override
    public synchronized TcpIpConfig addMember(String member) {
        members.addAll(split(member));
        return this;
    }

    @Override
    public synchronized TcpIpConfig clear() {
        members.clear();
        return this;
    }

    /** Takes every occurrence of exactly {@code member} out; whether there was one. */
    synchronized boolean removeMember(String member) {
        boolean removed = false;
        while (members.remove(member)) {
            removed = true;
        }
        return removed;
    }

    private static List<String> split(String member) {
        if (member == null || member.trim().length() == 0) {
            throw new IllegalArgumentException("member must contain text");
        }
        List<String> out = new ArrayList<String>();
        StringTokenizer tokens = new StringTokenizer(member, ",");
        while (tokens.hasMoreTokens()) {
            String s = tokens.nextToken().trim();
            if (s.length() > 0) {
                out.add(s);
            }
        }
        return out;
    }

    @Override
    public String toString() {
        return "TcpIpConfig [enabled=" + isEnabled() + ", connectionTimeoutSeconds=" + getConnectionTimeoutSeconds()
                + ", members=" + members + ", requiredMember=" + getRequiredMember() + "]";
    }
}
