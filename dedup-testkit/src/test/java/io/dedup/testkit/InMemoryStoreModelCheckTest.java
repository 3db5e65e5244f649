package io.dedup.testkit;

import io.dedup.memory.InMemoryDedupStore;
import io.dedup.spi.DedupStore;

/** The model-based checker against the in-memory store, with clock jumps. */
class InMemoryStoreModelCheckTest extends StoreModelCheck {
    private final MutableClock clock = MutableClock.startingNow();

    @Override
    protected DedupStore createStore() {
        return InMemoryDedupStore.builder().clock(clock).build();
    }

    @Override
    protected CheckerTime time() {
        return CheckerTime.of(clock);
    }
}
