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
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Reads the scripts' replies. A batch script answers a flat array (claims: a two-element header, then one element
 * per key), so that Lettuce decodes one list per call, not one per key; the common answers are integers (a new
 * record acquired, a completion applied or fenced), the others a bulk string led by a one-letter code. A reply of
 * an unexpected shape means Redis answered with something it should not: {@link DedupStoreUnavailableException}. A
 * script's own {@code E} or {@code W} answer means the record it found is unreadable or not a record:
 * {@link DedupStoreCorruptionException}. Stateless.
 *
 * <p>Times in replies are Redis' clock (milliseconds since 1970); this class only converts them, it never compares
 * them with this process's clock: expiry and lease decisions were made by the scripts.
 */
final class Replies {
    /** Elements before the per-key answers of a claim script: the token and lease end of a new record. */
    static final int CLAIM_HEADER = 2;

    private static final byte[] EMPTY = new byte[0];

    private Replies() {}

    /**
     * The per-key answers of a script run on several records, checked to be one per key after the header.
     *
     * @throws DedupStoreUnavailableException if the reply has another length: it cannot be matched to the keys
     */
    static List<Object> perKey(DedupKey firstKey, List<Object> reply, int header, int keys) {
        if (reply == null || reply.size() != header + keys) {
            throw unexpected(firstKey, reply);
        }
        return reply;
    }

    /**
     * One key's answer to a claim script; {@code reply} is the whole reply, whose header gives the token and the
     * lease end of records the call created.
     */
    static ClaimResult claim(DedupKey key, List<Object> reply, Object answer) {
        // 0: SET NX created the record, so it is the call's fresh token and lease end from the header, attempt 1.
        if (answer instanceof Long code) {
            if (code != 0) {
                throw unexpected(key, reply);
            }
            return new ClaimResult.Acquired(
                    new Claim(key, integer(key, reply.get(0)), 1, Instant.ofEpochMilli(integer(key, reply.get(1)))));
        }
        byte[] text = coded(key, answer);
        switch (text[0]) {
            case 'A': { // took over a released or lapsed record: A<token>:<attempt>, lease end from the header
                int colon = indexOf(text, (byte) ':', 1);
                return new ClaimResult.Acquired(new Claim(
                        key,
                        decimal(key, text, 1, colon),
                        Math.toIntExact(decimal(key, text, colon + 1, text.length)),
                        Instant.ofEpochMilli(integer(key, reply.get(1)))));
            }
            case 'S': // completed: S<completed at>:<body>, F when the handler failed
            case 'F': {
                int colon = indexOf(text, (byte) ':', 1);
                return new ClaimResult.Duplicate(
                        key,
                        Outcome.wrap(
                                text[0] == 'S' ? OutcomeStatus.SUCCEEDED : OutcomeStatus.FAILED,
                                Arrays.copyOfRange(text, colon + 1, text.length),
                                Instant.ofEpochMilli(decimal(key, text, 1, colon))));
            }
            case 'P': { // held by someone else: P<lease end>:<holder's token>
                int colon = indexOf(text, (byte) ':', 1);
                return new ClaimResult.InProgress(
                        key,
                        Instant.ofEpochMilli(decimal(key, text, 1, colon)),
                        decimal(key, text, colon + 1, text.length));
            }
            case 'X': // held or completed with another fingerprint
                return new ClaimResult.Conflict(key);
            default:
                throw unexpected(key, reply);
        }
    }

    /** One key's answer to complete, renew or release: 1 applied, 0 fenced. */
    static WriteResult write(DedupKey key, Object answer) {
        if (answer instanceof Long code) {
            if (code == 1) {
                return WriteResult.APPLIED;
            }
            if (code == 0) {
                return WriteResult.FENCED;
            }
        }
        coded(key, answer); // throws the corruption an E or W answer reports
        throw new DedupStoreUnavailableException("Redis answered an unexpected reply for " + key);
    }

    /**
     * The answer of a one-key script that answers one element.
     *
     * @throws DedupStoreUnavailableException if the reply is not one element
     */
    static Object single(DedupKey key, List<Object> reply) {
        return perKey(key, reply, 0, 1).get(0);
    }

    /**
     * The record {@code find.lua} read: nothing for {@code {}}, else its nine fields (state, token, attempts, time,
     * has-fingerprint, fingerprint, body, expires at, ms left).
     *
     * @throws DedupStoreCorruptionException if the record is unreadable or has no expiry
     * @throws DedupStoreUnavailableException if the reply has an unexpected shape
     */
    static Optional<StoredRecord> find(DedupKey key, List<Object> reply) {
        if (reply == null) {
            throw unexpected(key, null);
        }
        if (reply.isEmpty()) {
            return Optional.empty();
        }
        if (reply.size() == 1) {
            coded(key, reply.get(0));
            throw unexpected(key, reply);
        }
        if (reply.size() != 9) {
            throw unexpected(key, reply);
        }
        // Every write sets its expiry in the same SET; a record without one was written by someone else.
        if (integer(key, reply.get(8)) < 0) {
            throw new DedupStoreCorruptionException(key, "the record has no expiry");
        }
        byte[] stateField = bytes(reply.get(0));
        RecordState state = state(key, stateField);
        long token = number(key, reply.get(1), "token");
        int attempts = Math.toIntExact(integer(key, reply.get(2)));
        long time = number(key, reply.get(3), "time");
        Optional<String> fingerprint = integer(key, reply.get(4)) == 1
                ? Optional.of(new String(bytes(reply.get(5)), StandardCharsets.UTF_8))
                : Optional.empty();
        Optional<Outcome> outcome = state == RecordState.COMPLETED
                ? Optional.of(Outcome.wrap(
                        stateField[0] == 'S' ? OutcomeStatus.SUCCEEDED : OutcomeStatus.FAILED,
                        body(reply.get(6)),
                        Instant.ofEpochMilli(time)))
                : Optional.empty();
        return Optional.of(new StoredRecord(
                key,
                state,
                token,
                attempts,
                state == RecordState.IN_PROGRESS ? Optional.of(Instant.ofEpochMilli(time)) : Optional.empty(),
                Instant.ofEpochMilli(integer(key, reply.get(7))),
                fingerprint,
                outcome));
    }

    /**
     * The state a completed record is stored in: S for succeeded, F for failed. The letter travels in the
     * completion's argument, so the script writes it without knowing Java's names.
     */
    static byte encode(OutcomeStatus status) {
        return switch (status) {
            case SUCCEEDED -> 'S';
            case FAILED -> 'F';
        };
    }

    /** A coded bulk answer; {@code E} and {@code W} answers become the corruption they report. */
    private static byte[] coded(DedupKey key, Object answer) {
        if (!(answer instanceof byte[] text) || text.length == 0) {
            throw new DedupStoreUnavailableException("Redis answered an unexpected reply for " + key);
        }
        if (text[0] == 'W') {
            throw new DedupStoreCorruptionException(key, "its Redis key holds something other than a dedup record");
        }
        if (text[0] == 'E') {
            throw new DedupStoreCorruptionException(
                    key,
                    text.length > 1
                            ? new String(text, 1, text.length - 1, StandardCharsets.UTF_8)
                            : "unreadable record");
        }
        return text;
    }

    /** The state letter of a record: one byte, as the scripts write it. */
    private static RecordState state(DedupKey key, byte[] stored) {
        if (stored == null || stored.length != 1) {
            throw new DedupStoreCorruptionException(key, "unknown state " + printable(stored));
        }
        return switch (stored[0]) {
            case 'P' -> RecordState.IN_PROGRESS;
            case 'R' -> RecordState.RELEASED;
            case 'S', 'F' -> RecordState.COMPLETED;
            default -> throw new DedupStoreCorruptionException(key, "unknown state " + printable(stored));
        };
    }

    /** The first {@code b} at or after {@code from}, or the length: a missing separator reads as an empty rest. */
    private static int indexOf(byte[] text, byte b, int from) {
        for (int i = from; i < text.length; i++) {
            if (text[i] == b) {
                return i;
            }
        }
        return text.length;
    }

    /** The non-negative decimal in {@code text[from, to)}, read without making a string. */
    private static long decimal(DedupKey key, byte[] text, int from, int to) {
        // Eighteen digits cannot overflow a long; the scripts never write more.
        if (from >= to || to - from > 18) {
            throw new DedupStoreUnavailableException("Redis answered a malformed number for " + key);
        }
        long value = 0;
        for (int i = from; i < to; i++) {
            int digit = text[i] - '0';
            if (digit < 0 || digit > 9) {
                throw new DedupStoreUnavailableException("Redis answered a malformed number for " + key);
            }
            value = value * 10 + digit;
        }
        return value;
    }

    /** A Lua number the script answered, which Redis turns into an integer reply. */
    private static long integer(DedupKey key, Object element) {
        if (element instanceof Long value) {
            return value;
        }
        throw new DedupStoreUnavailableException("Redis answered a non-integer where an integer was due, for " + key);
    }

    /** A decimal number the script answered as text. */
    private static long number(DedupKey key, Object element, String what) {
        byte[] b = bytes(element);
        if (b == null) {
            throw new DedupStoreCorruptionException(key, what + " missing");
        }
        String text = new String(b, StandardCharsets.US_ASCII);
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new DedupStoreCorruptionException(key, what + " is not a number: " + text, e);
        }
    }

    private static byte[] bytes(Object element) {
        return element instanceof byte[] b ? b : null;
    }

    /** An outcome body; a missing one reads as no bytes (a completion without body stores none). */
    private static byte[] body(Object element) {
        byte[] body = bytes(element);
        return body == null ? EMPTY : body;
    }

    private static String printable(byte[] stored) {
        return stored == null ? "(none)" : new String(stored, StandardCharsets.UTF_8);
    }

    /**
     * A reply the scripts never give: something between here and Redis is wrong (a proxy, a different server), so
     * the store cannot answer, but the record is not known to be corrupt.
     */
    private static DedupStoreUnavailableException unexpected(DedupKey key, List<Object> reply) {
        String shape = reply == null ? "nothing" : reply.size() + " elements";
        return new DedupStoreUnavailableException("Redis answered an unexpected reply (" + shape + ") for " + key);
    }
}
