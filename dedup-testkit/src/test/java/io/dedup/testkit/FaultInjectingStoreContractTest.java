package io.dedup.testkit;

import io.dedup.spi.DedupStore;

/** With no fault switched on, the fault-injecting store is the store behind it: it passes the whole kit. */
class FaultInjectingStoreContractTest extends InMemoryStoreContractTest {
    @Override
    protected DedupStore createStore() {
        return FaultInjectingStore.wrap(super.createStore());
    }
}
