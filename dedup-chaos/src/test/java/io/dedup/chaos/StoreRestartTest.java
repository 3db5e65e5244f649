package io.dedup.chaos;

import io.dedup.chaos.ChaosRun.Mode;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The store goes away mid-run: the suite's own Redis shut down (SIGTERM) or killed (SIGKILL) and restarted from
 * its append-only file; PostgreSQL sessions terminated with pg_terminate_backend and the keys table locked past the
 * store's lock timeout. Consumers fail closed, back off and carry on.
 */
class StoreRestartTest {
    @Test
    void leased_mode_rides_out_redis_shutdowns_and_kills() throws Exception {
        try (ChaosRun run = ChaosRun.start("redis-restart", Mode.LEASED, "redis")) {
            run.underFaults(2, run.profile.faultRounds() * 2, round -> {
                boolean kill = round % 2 == 1;
                if (kill) {
                    run.redis.kill();
                } else {
                    run.redis.shutdown();
                }
                // Down for longer than a lease: held keys lapse while the consumers back off.
                Duration down = run.lease().plusMillis(1000 + run.random.nextInt(1000));
                System.out.printf(
                        "CHAOS %s: redis %s at %d keys, down for %s%n",
                        run.scenario, kill ? "SIGKILL" : "SIGTERM", run.progress(), down);
                Pause.millis(down.toMillis());
                run.redis.restart();
            });
        }
    }

    @Test
    void leased_mode_on_postgres_rides_out_terminated_sessions_and_a_table_lock() throws Exception {
        postgresFaults(Mode.LEASED);
    }

    @Test
    void transactional_mode_rides_out_terminated_sessions_and_a_table_lock() throws Exception {
        postgresFaults(Mode.TRANSACTIONAL);
    }

    static void postgresFaults(Mode mode) throws Exception {
        try (ChaosRun run = ChaosRun.start("postgres-faults", mode, "postgres")) {
            run.underFaults(2, run.profile.faultRounds() * 2, round -> {
                if (round % 2 == 0) {
                    int sessions = run.terminateStoreSessions();
                    System.out.printf(
                            "CHAOS %s: pg_terminate_backend on %d store sessions at %d keys%n",
                            run.scenario, sessions, run.progress());
                } else {
                    Duration hold = Duration.ofMillis(Long.parseLong(run.setting("lockTimeoutMillis")) * 2);
                    System.out.printf(
                            "CHAOS %s: store table locked for %s at %d keys%n", run.scenario, hold, run.progress());
                    run.holdStoreTableLock(hold);
                }
            });
        }
    }
}
