package io.dedup.testkit;

import io.dedup.NearCachedStore;
import io.dedup.memory.InMemoryDedupStore;
import io.dedup.spi.DedupStore;
import java.time.Duration;

/**
 * The model-based checker against the near-cache over an in-memory store, both on one jumping clock. The local TTL
 * (an hour) is far longer than the histories' retention, so the cache must bound its entries by the remote record.
 */
class NearCachedStoreModelCheckTest extends StoreModelCheck {
    private final MutableClock clock = MutableClock.startingNow();

    @Override
    protected DedupStore createStore() {
        DedupStore remote = InMemoryDedupStore.builder().clock(clock).build();
        return NearCachedStore.wrap(remote, 1_000, Duration.ofHours(1), clock);
    }

    @Override
    protected CheckerTime time() {
        return CheckerTime.of(clock);
    }
}
