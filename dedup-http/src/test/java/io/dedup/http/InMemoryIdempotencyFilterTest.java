package io.dedup.http;

import io.dedup.memory.InMemoryDedupStore;
import io.dedup.spi.DedupStore;

/** The filter's behaviour on the in-memory store. */
class InMemoryIdempotencyFilterTest extends IdempotencyFilterContract {
    private final InMemoryDedupStore store = InMemoryDedupStore.create();

    @Override
    protected DedupStore store() {
        return store;
    }
}
