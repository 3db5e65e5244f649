package io.dedup.kafka.internal;

import java.util.Collection;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.common.TopicPartition;

/**
 * The classic runner's answer to rebalances. It runs on the poll thread, inside {@code poll}, so the batch in flight
 * can be finished here while this member still owns its partitions.
 *
 * <p>Ordering matters on revocation: first mark the partitions revoking (their records not yet started are given
 * back instead of run), then wait for the batch and commit synchronously what is done, and only then forget the
 * partitions. A commit after the hand-over would be refused, and the next owner would fetch again records the store
 * then answers as duplicates: safe, but wasted work. On a loss the partitions are another member's already: the
 * batch still finishes (its outcomes go to the store), but nothing of theirs is committed or sought.
 *
 * <p>Not thread-safe: the poll thread's.
 */
final class RebalanceListener implements ConsumerRebalanceListener {
    private final PollLoop loop;
    private final PartitionStates states;
    private final OffsetCommits commits;
    private final FetchBuffer buffer;
    private final RecordMemory memory;

    RebalanceListener(
            PollLoop loop, PartitionStates states, OffsetCommits commits, FetchBuffer buffer, RecordMemory memory) {
        this.loop = loop;
        this.states = states;
        this.commits = commits;
        this.buffer = buffer;
        this.memory = memory;
    }

    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
        states.revoking(partitions); // not-started records of these are released, not run
        try {
            loop.finishBatch(false); // commits what is done while we still own the partitions
            commits.flush();
        } finally {
            forget(partitions);
        }
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> partitions) {
        states.revoking(partitions);
        states.lost(partitions, true); // not ours any more: commit nothing for them
        try {
            loop.finishBatch(false);
        } finally {
            commits.forget(partitions);
            forget(partitions);
            states.lost(partitions, false);
        }
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
        loop.assigned(partitions);
    }

    /** Forgets everything about partitions this consumer no longer owns. */
    private void forget(Collection<TopicPartition> gone) {
        buffer.drop(gone::contains, false); // fetched, never claimed: the next owner fetches them
        memory.forget(gone);
        states.forget(gone);
    }
}
