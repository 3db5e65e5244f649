package io.dedup.kafka.internal.share;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.AcknowledgeType;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a batch's {@link Verdict}s into acknowledgements: ACCEPT and RELEASE as they are; RETRY and DEFER keep the
 * record for another claim (released instead when the runner stops); DEAD_LETTER publishes first and REJECTs only
 * once the broker acknowledged the dead letter. When the waiting records may be claimed again is its {@link
 * RetryClock}'s to say: after the store back-off, or, for deferred records, when the holder's lease may have ended.
 *
 * <p>Why a record is never acknowledged before its outcome is safe: ACCEPT ends its life in the share group, so it
 * must come after the store recorded the completion (or the dead letter was acknowledged); otherwise a crash in
 * between would lose it.
 *
 * <p>Not thread-safe: the share runner's loop thread's.
 */
final class ShareSettlement {
    private static final Logger LOG = LoggerFactory.getLogger(ShareSettlement.class);

    private final ShareLoopState state;
    private final ShareDeadLetters deadLetters;
    private final ShareAcknowledger acknowledger;
    private final RetryClock clock;

    ShareSettlement(
            ShareLoopState state,
            ShareDeadLetters deadLetters,
            ShareAcknowledger acknowledger,
            Duration firstBackoff,
            Duration maxBackoff) {
        this.state = state;
        this.deadLetters = deadLetters;
        this.acknowledger = acknowledger;
        this.clock = new RetryClock(firstBackoff, maxBackoff);
    }

    /** Whether the waiting records may be claimed now (no back-off or deferral pending). */
    boolean due() {
        return clock.due();
    }

    /** How long until the waiting records may be claimed again; zero when they may now. */
    Duration untilRetry() {
        return clock.untilRetry();
    }

    /**
     * Acknowledges and commits what the verdicts of records {@code ids} allow, and keeps the rest waiting.
     *
     * @param renewEvery a third of the acquisition lock: no record is kept unclaimed longer than that
     */
    void settle(List<String> ids, List<Verdict> verdicts, Duration renewEvery) {
        List<ShareDeadLetters.Letter> letters = new ArrayList<>();
        List<String> lettered = new ArrayList<>();
        boolean retry = false;
        Duration defer = null;
        Map<String, AcknowledgeType> acks = new LinkedHashMap<>();
        for (int i = 0; i < ids.size(); i++) {
            String id = ids.get(i);
            Verdict verdict = verdicts.get(i);
            if (state.held().forgetIfLost(id)) {
                continue; // its lock is gone: the broker hands it out again, and the store answers that delivery
            }
            switch (verdict.kind()) {
                case ACCEPT -> acks.put(id, AcknowledgeType.ACCEPT);
                case RELEASE -> acks.put(id, AcknowledgeType.RELEASE);
                case RETRY -> {
                    retry = true;
                    keepOrRelease(id, acks);
                }
                    // Kept rather than released: a release would count a delivery against the limit while the holder
                    // works.
                case DEFER -> {
                    if (state.stopping().getAsBoolean()) {
                        acks.put(id, AcknowledgeType.RELEASE);
                    } else {
                        state.held().waitAgain(id);
                        state.metrics().deferred(state.held().get(id).topic());
                        Duration wait = deferral(verdict.retryAt(), renewEvery);
                        defer = defer == null ? wait : min(defer, wait);
                    }
                }
                case DEAD_LETTER -> {
                    ConsumerRecord<byte[], byte[]> record = state.held().get(id);
                    letters.add(new ShareDeadLetters.Letter(
                            record,
                            deadLetters.topicFor(record.topic()),
                            verdict.reason(),
                            verdict.error(),
                            verdict.attempts()));
                    lettered.add(id);
                }
            }
        }
        if (!letters.isEmpty() && !publish(letters, lettered, acks)) {
            retry = true;
        }
        if (retry) {
            clock.backOff();
            state.metrics().storeBackOff();
        } else {
            clock.settled(defer);
        }
        if (!acks.isEmpty()) {
            acknowledger.acknowledgeAndCommit(acks);
        }
    }

    /** Publishes the dead letters; REJECT for each once published, else they wait for a retry. False if it failed. */
    private boolean publish(
            List<ShareDeadLetters.Letter> letters, List<String> lettered, Map<String, AcknowledgeType> acks) {
        try {
            deadLetters.publish(letters);
        } catch (Exception e) {
            LOG.warn(
                    "share runner {}: publishing dead letters failed, will retry: {}", state.namespace(), e.toString());
            for (String id : lettered) {
                keepOrRelease(id, acks);
            }
            return false;
        }
        for (int i = 0; i < letters.size(); i++) {
            ShareDeadLetters.Letter letter = letters.get(i);
            // WARN, as on every adapter: a message was set aside unprocessed and someone has to look at it
            LOG.warn(
                    "share runner {}: {} dead-lettered to {} ({})",
                    state.namespace(),
                    HeldRecords.id(letter.record()),
                    letter.topic(),
                    letter.reason());
            state.metrics().deadLettered(letter.record().topic(), letter.reason());
            acks.put(lettered.get(i), AcknowledgeType.REJECT);
        }
        return true;
    }

    /** A record to claim again: kept while running, released when the runner stops (its next owner claims it). */
    private void keepOrRelease(String id, Map<String, AcknowledgeType> acks) {
        if (state.stopping().getAsBoolean()) {
            acks.put(id, AcknowledgeType.RELEASE);
        } else {
            state.held().waitAgain(id);
        }
    }

    /**
     * How long to keep a record whose key is held elsewhere before claiming it again: until the holder's lease ends
     * (by the store's clock, so with a little slack), at least 100 ms, at most a third of the lock.
     */
    private static Duration deferral(Instant leaseUntil, Duration renewEvery) {
        Duration wait = leaseUntil == null
                ? renewEvery
                : Duration.between(Instant.now(), leaseUntil).plusMillis(100);
        if (wait.compareTo(Duration.ofMillis(100)) < 0) {
            wait = Duration.ofMillis(100);
        }
        return min(wait, renewEvery);
    }

    static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
