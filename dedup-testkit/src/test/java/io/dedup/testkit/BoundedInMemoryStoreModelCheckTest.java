package io.dedup.testkit;

import io.dedup.memory.InMemoryDedupStore;
import io.dedup.spi.DedupStore;

/**
 * The model-based checker against a bounded in-memory store so small that it is full most of the time: claims
 * refused as full are allowed (their effect is judged unknown), and expired records are purged to make room while
 * other workers claim.
 */
class BoundedInMemoryStoreModelCheckTest extends StoreModelCheck {
    private final MutableClock clock = MutableClock.startingNow();

    @Override
    protected DedupStore createStore() {
        return InMemoryDedupStore.builder().clock(clock).maxEntries(2).build();
    }

    @Override
    protected CheckerTime time() {
        return CheckerTime.of(clock);
    }
}
