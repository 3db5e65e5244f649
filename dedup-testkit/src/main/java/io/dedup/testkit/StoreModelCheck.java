package io.dedup.testkit;

import static org.assertj.core.api.Assertions.fail;

import io.dedup.DedupKey;
import io.dedup.spi.DedupStore;
import java.security.SecureRandom;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The model-based checker of the store contract: random concurrent histories of claim, claimAll (with repeated
 * keys), complete, completeAll, renew, release and find, with clock jumps or real time passing, each judged against
 * the sequential model of a key's record (DESIGN §1 and §10). A store's test extends this class the way it extends
 * {@link DedupStoreContract}:
 *
 * <pre>{@code
 * class RedisStoreModelCheckTest extends StoreModelCheck {
 *     protected DedupStore createStore() { return RedisDedupStore.create(LocalServices.redis().uri()); }
 *     protected CheckerTime time() { return CheckerTime.real(Duration.ofMillis(20)); }
 * }
 * }</pre>
 *
 * <p>What a history must show: at most one live owner per key; tokens never repeat and strictly increase per key;
 * a completed key is not acquired again, and its duplicates carry its outcome, within its retention and not after;
 * a fenced write changes nothing and a current holder's write is not fenced; a batch answers as the same calls one
 * at a time; {@code find} agrees with the model; no call hangs. Overlapping calls are judged conservatively (see
 * {@code HistoryJudge}), so a correct store never fails.
 *
 * <p>Size: each run checks {@link #defaultHistories()} histories, each from its own seed. System properties:
 * {@code -Dcontract.histories=N} runs N histories (for a long run); {@code -Dcontract.seed=S} runs every history
 * from seed S, which replays the workers' choices of a failing history (the threads' interleaving is not replayed,
 * so a replay may take a few histories to fail again). A failure prints the seed, the broken rule, the calls that
 * show it and the history of the key concerned.
 *
 * <p>Not thread-safe: JUnit runs one test case at a time on each instance; the histories it generates run their own threads.
 */
public abstract class StoreModelCheck {
    /** Creates a store for one history. Called once per history; closed after it. */
    protected abstract DedupStore createStore();

    /** How the checker reads and moves the store's time. */
    protected abstract CheckerTime time();

    /** The histories' durations and sizes; defaults follow {@link CheckerTime#jumps()}. */
    protected CheckerSettings settings() {
        return time().jumps() ? CheckerSettings.forInjectedClock() : CheckerSettings.forRealTime();
    }

    /** How many histories one run checks without {@code -Dcontract.histories}. */
    protected int defaultHistories() {
        return time().jumps() ? 300 : 12;
    }

    /**
     * Runs the histories one after another, each on a fresh store and namespace, and fails at the first one the judge
     * rejects, printing its report (also to stdout, so a long surefire report keeps it whole).
     */
    @Test
    void random_histories_agree_with_the_sequential_model() throws InterruptedException {
        int histories = Integer.getInteger("contract.histories", defaultHistories());
        Long fixedSeed = Long.getLong("contract.seed");
        // a fresh random seed per run explores new histories; the report names it, so any failure can be replayed
        long firstSeed = fixedSeed != null ? fixedSeed : new SecureRandom().nextLong() >>> 16;
        CheckerTime time = time();
        CheckerSettings settings = settings();
        String run = UUID.randomUUID().toString().substring(0, 8);
        long calls = 0;
        long started = System.nanoTime();
        for (int i = 0; i < histories; i++) {
            long seed = fixedSeed != null ? fixedSeed : firstSeed + i;
            History history;
            try (DedupStore store = createStore()) {
                // not judged: lets a store connect (a fresh cluster client may take seconds) before calls are timed
                store.find(DedupKey.of("mc-" + run + "-warm-up", "k"));
                history = new HistoryRunner(store, time, settings, seed, "mc-" + run + "-" + i).run();
            }
            calls += history.calls().size();
            Optional<HistoryJudge.Violation> violation = new HistoryJudge(history, time.toleranceMillis()).judge();
            if (violation.isPresent()) {
                String report = report(history, violation.get(), i + 1, histories);
                System.out.println(report);
                fail(report);
            }
        }
        System.out.printf(
                "model check %s: %d histories (%d calls) from seed %d%s agree with the model in %d ms%n",
                getClass().getSimpleName(),
                histories,
                calls,
                firstSeed,
                fixedSeed != null ? " (fixed)" : " on",
                (System.nanoTime() - started) / 1_000_000);
    }

    /**
     * The failure message: where to replay from, the broken rule, the calls that show it, and the history of that key
     * only (a whole history runs to thousands of lines; the one key is what a reader needs).
     */
    private static String report(History history, HistoryJudge.Violation violation, int number, int histories) {
        StringBuilder out = new StringBuilder()
                .append("store model check failed at history ")
                .append(number)
                .append(" of ")
                .append(histories)
                .append(", seed ")
                .append(history.seed())
                .append(" (replay with -Dcontract.seed=")
                .append(history.seed())
                .append(")\n  broken rule: ")
                .append(violation.rule())
                .append("\n  key: ")
                .append(violation.key())
                .append("\n  calls that show it: ");
        violation.steps().forEach(s -> out.append('#').append(s.call.id).append(' '));
        return out.append('\n').append(history.format(violation.key())).toString();
    }
}
