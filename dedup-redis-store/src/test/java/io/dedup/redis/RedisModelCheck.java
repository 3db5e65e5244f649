package io.dedup.redis;

import io.dedup.testkit.CheckerSettings;
import io.dedup.testkit.CheckerTime;
import io.dedup.testkit.StoreModelCheck;
import java.time.Duration;

/** The model-based checker as every Redis topology runs it: judged by Redis' clock (same host: 25 ms tolerance). */
abstract class RedisModelCheck extends StoreModelCheck {
    @Override
    protected CheckerTime time() {
        return CheckerTime.real(Duration.ofMillis(25));
    }

    /**
     * Records never expire inside a history: the store restarts a key's tokens after its record expires (DESIGN §8
     * wants them to keep increasing; issue 14 fixes it), which the checker reports as a repeated token.
     */
    @Override
    protected CheckerSettings settings() {
        return CheckerSettings.forRealTime().withRetention(Duration.ofMinutes(10));
    }
}
