package io.dedup.testkit;

import io.dedup.memory.InMemoryDedupStore;
import io.dedup.spi.DedupStore;

/** The reference store runs the whole contract kit, which also proves the kit. */
class InMemoryStoreContractTest extends DedupStoreContract {
    private final MutableClock clock = MutableClock.startingNow();

    @Override
    protected DedupStore createStore() {
        return InMemoryDedupStore.builder().clock(clock).build();
    }

    @Override
    protected TimeControl time() {
        return TimeControl.of(clock);
    }
}
