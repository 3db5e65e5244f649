package io.dedup.redis;

import io.dedup.testkit.DedupStoreContract;
import io.dedup.testkit.TimeControl;

/** The contract kit as every Redis topology runs it: judged by Redis' own clock, which no test can move. */
abstract class RedisStoreContract extends DedupStoreContract {
    @Override
    protected TimeControl time() {
        return TimeControl.REAL;
    }
}
