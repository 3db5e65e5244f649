package io.dedup.bench.e2e;

import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * What every arm consumes in one comparison: the sequence of idempotency keys on the topic and the handler each
 * arm runs. The sequence is the same for every arm and every repetition (a fixed seed). Immutable.
 *
 * @param duplicates how keys repeat on the topic
 * @param handler what the handler does per run
 * @param messages how many records the topic holds
 */
public record Workload(Duplicates duplicates, HandlerKind handler, int messages) {
    /** Fixed, so every run and every arm consumes the same key sequence. */
    private static final long SEED = 0x5eed_d00dL;

    /** How keys repeat on the topic. */
    public enum Duplicates {
        /** Every record has its own key. */
        NONE("dup0"),
        /** One record in five repeats the key of a random earlier record, spread across the whole topic. */
        TWENTY_PERCENT("dup20"),
        /** Replay storm: the first half of the topic is delivered again as its second half. */
        REPLAY("replay");

        /** The pattern's part of the workload name, e.g. {@code dup20}. */
        private final String label;

        Duplicates(String label) {
            this.label = label;
        }
    }

    /** What the handler does for each run. */
    public enum HandlerKind {
        /** Counts the run, nothing else: the dedup layer's cost shows in full. */
        NOOP,
        /** Inserts one row into PostgreSQL (autocommit): a typical side effect. */
        POSTGRES_ROW;

        /** The pattern's part of the workload name. */
        String label() {
            return this == NOOP ? "noop" : "pg";
        }
    }

    public Workload {
        Objects.requireNonNull(duplicates, "duplicates");
        Objects.requireNonNull(handler, "handler");
        if (messages < 2) {
            throw new IllegalArgumentException("messages must be at least 2, was " + messages);
        }
    }

    /** The same workload on at most {@code max} records. */
    public Workload atMost(int max) {
        return max >= messages ? this : new Workload(duplicates, handler, max);
    }

    /** The workload's name in the results, for example {@code dup20-noop}. */
    public String name() {
        return duplicates.label + "-" + handler.label();
    }

    /** How many distinct keys the topic holds: the handler runs a dedup arm must show. */
    public int uniqueKeys() {
        return switch (duplicates) {
            case NONE -> messages;
            case TWENTY_PERCENT -> messages - messages / 5;
            case REPLAY -> (messages + 1) / 2;
        };
    }

    /** The key of every record, in topic order. */
    public String[] keys() {
        String[] keys = new String[messages];
        switch (duplicates) {
            case NONE -> Arrays.setAll(keys, Workload::key);
            case REPLAY -> {
                int half = uniqueKeys();
                Arrays.setAll(keys, i -> key(i % half));
            }
            case TWENTY_PERCENT -> fillWithRepeats(keys);
        }
        return keys;
    }

    /** Marks {@code messages / 5} random positions after the first as repeats of a key already on the topic. */
    private void fillWithRepeats(String[] keys) {
        // the seed fixes the positions and the repeated keys: every arm and repetition sees the same topic
        SplittableRandom random = new SplittableRandom(SEED);
        boolean[] repeat = new boolean[messages];
        int toMark = messages / 5;
        while (toMark > 0) {
            int position = 1 + random.nextInt(messages - 1);
            if (!repeat[position]) {
                repeat[position] = true;
                toMark--;
            }
        }
        // a marked position repeats a random key already on the topic: near or far back, as real retries and replays
        int next = 0;
        for (int i = 0; i < messages; i++) {
            keys[i] = repeat[i] ? key(random.nextInt(next)) : key(next++);
        }
    }

    /** The key of unique message {@code index}: fixed width, like an order id. */
    private static String key(int index) {
        return String.format(Locale.ROOT, "order-%09d", index);
    }
}
