package io.dedup.internal;

import io.dedup.Claim;
import io.dedup.DedupException;
import io.dedup.DedupKey;
import io.dedup.DedupStoreCorruptionException;
import io.dedup.DedupStoreException;
import io.dedup.DedupStoreUnavailableException;
import io.dedup.KeyInProgressException;
import io.dedup.LeaseLostException;
import io.dedup.Outcome;
import io.dedup.OutcomeCodec;
import io.dedup.OutcomeStatus;
import io.dedup.Steps;
import io.dedup.internal.DedupMetrics.StepResult;
import io.dedup.internal.DedupMetrics.StoreOperation;
import io.dedup.spi.ClaimRequest;
import io.dedup.spi.ClaimResult;
import io.dedup.spi.Completion;
import io.dedup.spi.RecordState;
import io.dedup.spi.StoredRecord;
import io.dedup.spi.WriteResult;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Records the steps of handlers ({@link Steps}) in the store, composed of the store SPI's own calls on a key derived
 * from the handler's key and the step's name (same namespace):
 *
 * <ol>
 *   <li>claim the step key: <i>duplicate</i> means an earlier attempt recorded the step, whose outcome is replayed;
 *   <li><i>in progress</i> means an attempt that is dead or stale (or this claim's own earlier attempt) holds it: once
 *       the handler's claim is confirmed current, the step record is released with the token read from it and
 *       claimed again, so the key's new holder never waits a lease for a step its predecessor left unfinished;
 *   <li>confirm the handler's claim is current (a renewal with its token), run the step;
 *   <li>confirm the handler's claim again, then complete the step key with the step's encoded result.
 * </ol>
 *
 * <p>A stale worker is stopped at the confirmations; and since the key's new holder takes a step record over by
 * releasing the token the stale worker holds, the stale worker's completion of that step is refused. What remains
 * (documented in {@code docs/guarantees.md}): a worker that confirmed its claim and then stalls past its lease right
 * before completing the step record can still record it, if the new holder has not reached that step yet; the new
 * holder then replays that result, and the step's effect still happened once.
 *
 * <p>Thread-safe: one per engine; all state is in the store.
 *
 * @param store the store the step records are kept in
 * @param lease the lease of a step key's claim
 * @param retention how long a step record is kept once completed or released
 * @param metrics where step results are counted
 */
record StepRecorder(StoreCalls store, Duration lease, Duration retention, DedupMetrics metrics) {
    /** How often a step record held by another run is taken over before giving up. */
    private static final int TAKEOVERS = 3;

    private static final int WRITE_TRIES = 3;
    private static final long WRITE_RETRY_MILLIS = 50;

    /**
     * The key a step is recorded under: a digest of the handler's key and the step's name, so it can never be mistaken
     * for a message's key (raw keys are never stored in digest form) and keeps no raw identifier at rest.
     */
    static DedupKey stepKey(DedupKey parent, String name) {
        return DedupKey.digestOf(parent.namespace(), "\u0000dedup-step\u0000" + parent.id() + "\u0000" + name);
    }

    <R> R run(
            Claim parent,
            LeaseRenewer.Ticket ticket,
            String name,
            OutcomeCodec<R> codec,
            Steps.Action<? extends R> action)
            throws Exception {
        DedupKey key = stepKey(parent.key(), name);
        Object acquired = acquire(parent, ticket, key);
        if (acquired instanceof Outcome recorded) {
            R replayed = codec.decode(recorded.body());
            metrics.step(StepResult.REPLAYED);
            return replayed;
        }
        Claim step = (Claim) acquired;
        R result;
        byte[] body;
        try {
            if (!current(parent, ticket)) {
                throw fenced(parent);
            }
            try {
                result = action.run();
                body = codec.encode(result);
            } catch (Exception | Error e) {
                metrics.step(StepResult.FAILED);
                throw e;
            }
            if (!retrying(() -> current(parent, ticket))) {
                throw fenced(parent);
            }
        } catch (Exception | Error e) {
            releaseQuietly(step); // nothing recorded: the key's next attempt runs the step again
            throw e;
        }
        WriteResult written = complete(new Completion(key, step.token(), OutcomeStatus.SUCCEEDED, body, retention));
        if (written != WriteResult.APPLIED) {
            metrics.fenced(StoreOperation.COMPLETE);
            throw fenced(parent); // the key's new holder took the step over while it ran
        }
        metrics.step(StepResult.RUN);
        return result;
    }

    /** The step's claim, or the outcome an earlier attempt recorded. */
    private Object acquire(Claim parent, LeaseRenewer.Ticket ticket, DedupKey key) {
        ClaimRequest request = ClaimRequest.of(key, lease, retention);
        for (int takeovers = 0; ; takeovers++) {
            ClaimResult answer = store.claim(request);
            if (answer instanceof ClaimResult.Acquired acquired) {
                return acquired.claim();
            }
            if (answer instanceof ClaimResult.Duplicate duplicate) {
                return outcomeOf(key, duplicate.outcome());
            }
            if (answer instanceof ClaimResult.Failed failed) {
                throw DedupEngine.asUnavailable(failed.cause());
            }
            if (answer instanceof ClaimResult.Conflict) {
                throw new DedupStoreCorruptionException(
                        key,
                        "a record with a payload fingerprint is stored at a step's" + " key; step records have none");
            }
            ClaimResult.InProgress held = (ClaimResult.InProgress) answer;
            if (takeovers >= TAKEOVERS) {
                throw new KeyInProgressException(key, held.leaseUntil());
            }
            // Only the key's current holder may take a step over; a stale worker learns here that it is one.
            if (!current(parent, ticket)) {
                throw fenced(parent);
            }
            Optional<StoredRecord> record = store.find(key);
            if (record.isPresent() && record.get().state() == RecordState.IN_PROGRESS) {
                // Refused when it moved on meanwhile (completed, released, taken over): the next claim tells.
                store.release(key, record.get().token(), retention);
            } else if (record.isPresent() && record.get().state() == RecordState.COMPLETED) {
                return outcomeOf(key, record.get().outcome().orElseThrow());
            }
        }
    }

    private static Outcome outcomeOf(DedupKey key, Outcome outcome) {
        if (outcome.status() != OutcomeStatus.SUCCEEDED) {
            throw new DedupStoreCorruptionException(
                    key, "a step record completed as " + outcome.status() + "; steps record only what succeeded");
        }
        return outcome;
    }

    /** Whether the handler's claim is still the key's current one: a fenced renewal of it says no. */
    private boolean current(Claim parent, LeaseRenewer.Ticket ticket) {
        if (ticket != null && ticket.lost()) {
            return false;
        }
        WriteResult renewed = store.renew(parent.key(), parent.token(), lease);
        if (renewed == WriteResult.APPLIED) {
            return true;
        }
        if (renewed instanceof WriteResult.Failed failed) {
            throw DedupEngine.asUnavailable(failed.cause());
        }
        metrics.fenced(StoreOperation.RENEW);
        return false;
    }

    /**
     * Completes the step record, retrying a write the store did not answer: a retry answered FENCED may have taken
     * effect on the try whose answer was lost, which the record then shows (completed under this very token).
     */
    private WriteResult complete(Completion completion) {
        for (int tryNo = 1; ; tryNo++) {
            try {
                WriteResult written = store.complete(completion);
                if (written instanceof WriteResult.Failed failed) {
                    throw DedupEngine.asUnavailable(failed.cause());
                }
                if (written == WriteResult.FENCED && tryNo > 1) {
                    return store.find(completion.key())
                                    .filter(r -> r.state() == RecordState.COMPLETED && r.token() == completion.token())
                                    .isPresent()
                            ? WriteResult.APPLIED
                            : written;
                }
                return written;
            } catch (DedupStoreUnavailableException e) {
                if (tryNo >= WRITE_TRIES) {
                    throw e;
                }
                pause(WRITE_RETRY_MILLIS * tryNo);
            }
        }
    }

    /** Retries a check the store did not answer; the last failure travels on. */
    private <T> T retrying(Supplier<T> call) {
        for (int tryNo = 1; ; tryNo++) {
            try {
                return call.get();
            } catch (DedupStoreUnavailableException e) {
                if (tryNo >= WRITE_TRIES) {
                    throw e;
                }
                pause(WRITE_RETRY_MILLIS * tryNo);
            }
        }
    }

    private void releaseQuietly(Claim step) {
        try {
            store.release(step.key(), step.token(), retention);
        } catch (DedupStoreException e) {
            // the step record stays held until the key's next holder takes it over, which it does at once
        }
    }

    private LeaseLostException fenced(Claim parent) {
        metrics.step(StepResult.FENCED);
        return new LeaseLostException(parent.key(), parent.token());
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DedupException("interrupted while retrying a step's record", e);
        }
    }
}
