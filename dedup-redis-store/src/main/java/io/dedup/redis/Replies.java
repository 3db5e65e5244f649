package io.dedup.redis;

import io.dedup.Claim;
import io.dedup.DedupKey;
import io.dedup.DedupStoreCorruptionException;
import io.dedup.DedupStoreUnavailableException;
import io.dedup.Outcome;
import io.dedup.OutcomeStatus;
import io.dedup.spi.ClaimResult;
import io.dedup.spi.RecordState;
import io.dedup.spi.StoredRecord;
import io.dedup.spi.WriteResult;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Reads the scripts' replies. Each is an array whose first element is a one-letter code. A reply of an unexpected
 * shape means Redis answered with something it should not: {@link DedupStoreUnavailableException}. A script's own
 * {@code E} answer means the record it found is unreadable: {@link DedupStoreCorruptionException}.
 */
final class Replies {
    private static final byte[] EMPTY = new byte[0];

    private Replies() {}

    static ClaimResult claim(DedupKey key, List<Object> reply) {
        switch (code(key, reply)) {
            case "A":
                expectSize(key, reply, 4);
                return new ClaimResult.Acquired(new Claim(
                        key,
                        integer(key, reply.get(1)),
                        Math.toIntExact(integer(key, reply.get(2))),
                        Instant.ofEpochMilli(integer(key, reply.get(3)))));
            case "D":
                expectSize(key, reply, 4);
                return new ClaimResult.Duplicate(
                        key,
                        Outcome.wrap(
                                status(key, bytes(reply.get(1))),
                                body(reply.get(3)),
                                Instant.ofEpochMilli(integer(key, reply.get(2)))));
            case "P":
                expectSize(key, reply, 2);
                return new ClaimResult.InProgress(key, Instant.ofEpochMilli(integer(key, reply.get(1))));
            case "X":
                return new ClaimResult.Conflict(key);
            default:
                throw unexpected(key, reply);
        }
    }

    /** The per-key answers of a script run on several records, checked to be one per key. */
    @SuppressWarnings("unchecked")
    static List<List<Object>> perKey(DedupKey firstKey, List<Object> reply, int keys) {
        if (reply == null || reply.size() != keys) {
            throw unexpected(firstKey, reply);
        }
        for (Object element : reply) {
            if (!(element instanceof List)) {
                throw unexpected(firstKey, reply);
            }
        }
        return (List<List<Object>>) (List<?>) reply;
    }

    static WriteResult write(DedupKey key, List<Object> reply) {
        return switch (code(key, reply)) {
            case "Y" -> WriteResult.APPLIED;
            case "N" -> WriteResult.FENCED;
            default -> throw unexpected(key, reply);
        };
    }

    static Optional<StoredRecord> find(DedupKey key, List<Object> reply) {
        String code = code(key, reply);
        if (code.equals("0")) {
            return Optional.empty();
        }
        if (!code.equals("F")) {
            throw unexpected(key, reply);
        }
        expectSize(key, reply, 9);
        long expiresAt = integer(key, reply.get(1));
        if (integer(key, reply.get(2)) < 0) {
            throw new DedupStoreCorruptionException(key, "the record has no expiry");
        }
        byte[] stateField = bytes(reply.get(3));
        RecordState state = state(key, stateField);
        long token = number(key, reply.get(4), "token");
        Optional<Instant> leaseUntil = state == RecordState.IN_PROGRESS
                ? Optional.of(Instant.ofEpochMilli(number(key, reply.get(5), "lease end")))
                : Optional.empty();
        Optional<String> fingerprint = Optional.ofNullable(text(reply.get(6)));
        Optional<Outcome> outcome = state == RecordState.COMPLETED
                ? Optional.of(Outcome.wrap(
                        status(key, stateField),
                        body(reply.get(8)),
                        Instant.ofEpochMilli(number(key, reply.get(7), "completion time"))))
                : Optional.empty();
        // The token doubles as the attempt count: both start at 1 and grow by one per acquisition.
        return Optional.of(new StoredRecord(
                key,
                state,
                token,
                Math.toIntExact(token),
                leaseUntil,
                Instant.ofEpochMilli(expiresAt),
                fingerprint,
                outcome));
    }

    /** The state a completed record is stored in: S for succeeded, F for failed. */
    static byte[] encode(OutcomeStatus status) {
        return switch (status) {
            case SUCCEEDED -> new byte[] {'S'};
            case FAILED -> new byte[] {'F'};
        };
    }

    private static OutcomeStatus status(DedupKey key, byte[] stored) {
        if (stored != null && stored.length == 1) {
            if (stored[0] == 'S') {
                return OutcomeStatus.SUCCEEDED;
            }
            if (stored[0] == 'F') {
                return OutcomeStatus.FAILED;
            }
        }
        throw new DedupStoreCorruptionException(key, "unknown outcome status " + printable(stored));
    }

    private static RecordState state(DedupKey key, byte[] stored) {
        if (stored == null) {
            throw new DedupStoreCorruptionException(key, "the record has no state");
        }
        return switch (new String(stored, StandardCharsets.UTF_8)) {
            case "P" -> RecordState.IN_PROGRESS;
            case "R" -> RecordState.RELEASED;
            case "S", "F" -> RecordState.COMPLETED;
            default -> throw new DedupStoreCorruptionException(key, "unknown state " + printable(stored));
        };
    }

    private static String code(DedupKey key, List<Object> reply) {
        if (reply == null || reply.isEmpty() || !(reply.get(0) instanceof byte[] first)) {
            throw unexpected(key, reply);
        }
        String code = new String(first, StandardCharsets.US_ASCII);
        if (code.equals("W")) {
            throw new DedupStoreCorruptionException(key, "its Redis key holds something other than a dedup record");
        }
        if (code.equals("E")) {
            throw new DedupStoreCorruptionException(
                    key, reply.size() > 1 ? String.valueOf(text(reply.get(1))) : "unreadable record");
        }
        return code;
    }

    private static void expectSize(DedupKey key, List<Object> reply, int size) {
        if (reply.size() != size) {
            throw unexpected(key, reply);
        }
    }

    private static long integer(DedupKey key, Object element) {
        if (element instanceof Long value) {
            return value;
        }
        throw new DedupStoreUnavailableException("Redis answered a non-integer where an integer was due, for " + key);
    }

    /** A decimal number stored in a record field. */
    private static long number(DedupKey key, Object element, String what) {
        String text = text(element);
        if (text == null) {
            throw new DedupStoreCorruptionException(key, what + " missing");
        }
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new DedupStoreCorruptionException(key, what + " is not a number: " + text, e);
        }
    }

    private static byte[] bytes(Object element) {
        return element instanceof byte[] b ? b : null;
    }

    private static byte[] body(Object element) {
        byte[] body = bytes(element);
        return body == null ? EMPTY : body;
    }

    private static String text(Object element) {
        byte[] b = bytes(element);
        return b == null ? null : new String(b, StandardCharsets.UTF_8);
    }

    private static String printable(byte[] stored) {
        return stored == null ? "(none)" : new String(stored, StandardCharsets.UTF_8);
    }

    private static DedupStoreUnavailableException unexpected(DedupKey key, List<Object> reply) {
        String shape = reply == null ? "nothing" : reply.size() + " elements";
        return new DedupStoreUnavailableException("Redis answered an unexpected reply (" + shape + ") for " + key);
    }
}
