package io.dedup.testkit;

import io.dedup.spi.RecordState;
import io.dedup.spi.StoredRecord;
import java.util.Optional;

/**
 * The rules for what {@code find} may show about one key: a record some claim acquired, not one a later acquisition
 * replaced, in the state the applied writes left it in, and not past its retention; absent only once the latest
 * record that surely existed may have expired.
 *
 * <p>Not thread-safe; used by one judge at a time.
 */
final class FindRules extends KeyRules {
    /** The find rules for {@code key}'s steps. */
    FindRules(KeyHistory key, StoreTimeWindows time) {
        super(key, time);
    }

    /** Judges a find step by the record it returned (or its absence). */
    @Override
    Optional<HistoryJudge.Violation> check(HistoryCall.Step f) {
        if (key.unknownBefore(f)) {
            return Optional.empty();
        }
        Optional<StoredRecord> found = f.found();
        if (found.isEmpty()) {
            return absent(f);
        }
        StoredRecord r = found.get();
        HistoryCall.Step a = key.acquisitionOf.get(r.token());
        // the record's token must come from an acquisition that had started before the find returned
        if (a == null || a.call.startSeq > f.call.endSeq) {
            return key.fail("find shows a record some claim acquired", f);
        }
        Optional<HistoryCall.Step> newer = key.newerBefore(r.token(), f);
        if (newer.isPresent()) {
            return key.fail("find shows the current record, not one a later acquisition replaced", a, newer.get(), f);
        }
        if (r.state() == RecordState.IN_PROGRESS) {
            Optional<HistoryCall.Step> ended = key.terminal(r.token(), false)
                    .filter(t -> StoreTimeWindows.precedes(t, f))
                    .findFirst();
            return ended.isPresent()
                    ? key.fail("find agrees with the model: in progress after it ended", a, ended.get(), f)
                    : Optional.empty();
        }
        // COMPLETED or RELEASED: some applied write of that token, made before, must have left it so.
        boolean completed = r.state() == RecordState.COMPLETED;
        long bodyId = r.outcome().map(o -> History.bodyId(o.body())).orElse(-1L);
        Optional<HistoryCall.Step> write = key.terminal(r.token(), false)
                .filter(t -> t.call.startSeq < f.call.endSeq && t.isComplete() == completed)
                .filter(t -> !completed || t.bodyId == bodyId)
                .findFirst();
        if (write.isEmpty()) {
            return key.fail("find agrees with the model: " + r.state() + " with no such applied write", a, f);
        }
        // the write restarted the record's retention; past it, the record must be gone
        if (time.low(f) >= time.high(write.get()) + time.retention()) {
            return key.fail("find agrees with the model: shows a record past its retention", write.get(), f);
        }
        return Optional.empty();
    }

    /** Absent is wrong only when the latest record that surely exists surely has not expired yet. */
    private Optional<HistoryJudge.Violation> absent(HistoryCall.Step f) {
        // the newest acquisition surely before the find: older records may be replaced, this one must be there
        HistoryCall.Step latest = null;
        for (HistoryCall.Step a : key.acquisitions) {
            if (StoreTimeWindows.precedes(a, f) && (latest == null || a.acquiredToken() > latest.acquiredToken())) {
                latest = a;
            }
        }
        if (latest == null) {
            return Optional.empty();
        }
        long token = latest.acquiredToken();
        long expiresNoEarlierThan = latest.leaseUntil() + time.retention();
        for (HistoryCall.Step t : key.terminal(token, false).toList()) {
            if (t.call.startSeq < f.call.endSeq) {
                // a terminal write restarts the record's expiry; one that may overlap the find may have come later
                long after = time.low(t) + time.retention();
                expiresNoEarlierThan = StoreTimeWindows.precedes(t, f) ? after : Math.min(expiresNoEarlierThan, after);
            }
        }
        if (time.high(f) < expiresNoEarlierThan) {
            return key.fail("find agrees with the model: absent while the record was live", latest, f);
        }
        return Optional.empty();
    }
}
