package io.dedup.spring.kafka;

import io.dedup.DedupStoreUnavailableException;
import io.dedup.memory.InMemoryDedupStore;
import io.dedup.spi.Completion;
import io.dedup.spi.WriteResult;
import io.dedup.testkit.ForwardingStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An in-memory store that refuses to record the completion of chosen keys (by key id) while every other call, for
 * them and for every other key, goes through: a listener ran under its claim, but the store does not get its outcome
 * (core retries, then keeps the completion and writes it in the background once the store takes it). A refused
 * single completion throws {@link DedupStoreUnavailableException}; in a batch the refused ones answer {@link
 * WriteResult.Failed} and the others are written in one round trip. Thread-safe.
 */
final class RefusedCompletions extends ForwardingStore {
    private final Set<String> refused = ConcurrentHashMap.newKeySet();
    private final AtomicInteger refusals = new AtomicInteger();

    RefusedCompletions() {
        super(InMemoryDedupStore.create());
    }

    /** Refuses the completions of the key {@code id} (in any namespace) until {@link #allow}. */
    void refuse(String id) {
        refused.add(id);
    }

    /** Records the completions of the key {@code id} again. */
    void allow(String id) {
        refused.remove(id);
    }

    /** How many completions were refused so far. */
    int refusals() {
        return refusals.get();
    }

    @Override
    public WriteResult complete(Completion completion) {
        if (isRefused(completion)) {
            throw unavailable(completion);
        }
        return super.complete(completion);
    }

    @Override
    public List<WriteResult> completeAll(List<Completion> completions) {
        List<Completion> passed = new ArrayList<>(completions.size());
        for (Completion completion : completions) {
            if (!refused.contains(completion.key().id())) {
                passed.add(completion);
            }
        }
        List<WriteResult> written = passed.isEmpty() ? List.of() : super.completeAll(passed);
        List<WriteResult> answers = new ArrayList<>(completions.size());
        int next = 0;
        for (Completion completion : completions) {
            if (passed.size() > next && passed.get(next) == completion) {
                answers.add(written.get(next++));
            } else {
                refusals.incrementAndGet();
                answers.add(new WriteResult.Failed(unavailable(completion)));
            }
        }
        return answers;
    }

    private boolean isRefused(Completion completion) {
        if (refused.contains(completion.key().id())) {
            refusals.incrementAndGet();
            return true;
        }
        return false;
    }

    private static DedupStoreUnavailableException unavailable(Completion completion) {
        return new DedupStoreUnavailableException("the test refuses to record the completion of " + completion.key());
    }
}
