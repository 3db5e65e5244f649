package io.dedup.memory;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The sweeper's amortisation: clock reads and sweeps stay rare however many keys arrive. */
class ExpirySweeperTest {
    private final ExpirySweeper sweeper = new ExpirySweeper();
    private final AtomicLong now = new AtomicLong(1_000);
    private final AtomicInteger clockReads = new AtomicInteger();
    private final AtomicInteger sweeps = new AtomicInteger();

    private void insert(int keys, long sizeBefore) {
        for (int i = 1; i <= keys; i++) {
            sweeper.inserted(
                    sizeBefore + i,
                    () -> {
                        clockReads.incrementAndGet();
                        return now.get();
                    },
                    sweeps::incrementAndGet);
        }
    }

    @Test
    void a_growing_store_whose_records_all_live_on_reads_the_clock_a_few_times_only() {
        sweeper.noteExpiry(now.get() + 86_400_000); // nothing expires for a day
        insert(200_000, 0);
        // a check after 1024 inserts, then after each half of the size: about log1.5(200,000 / 1024) of them
        assertThat(clockReads.get()).isBetween(1, 20);
        assertThat(sweeps.get()).isZero();
    }

    @Test
    void once_the_earliest_expiry_passed_the_next_due_check_sweeps() {
        sweeper.noteExpiry(now.get() + 10);
        insert(2_000, 0);
        assertThat(sweeps.get()).isZero();
        now.addAndGet(20);
        insert(2_000, 2_000); // due again after half the size (1,000 more inserts)
        assertThat(sweeps.get()).isEqualTo(1);
    }
}
