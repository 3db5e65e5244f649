package io.dedup.kafka;

import io.dedup.KeyExtractor;
import io.dedup.RawKey;
import io.dedup.kafka.internal.RecordBytes;
import io.dedup.spi.KeySpecGrammar;
import java.util.Objects;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Where the idempotency key of a Kafka record lives: a header, the record key, a JSON field of the value, or a
 * content hash, alone or chained. Every extractor works on records of any type: byte arrays, {@code ByteBuffer}s,
 * Kafka {@code Bytes} and text are read as they are; a JSON pointer or content hash over a value of another type is
 * an unreadable key (consume such topics as bytes or String, or use the runner, which reads the raw bytes).
 *
 * <p>The default is {@link #header()}: the {@value #DEFAULT_HEADER} header, then an error. Not the record key by
 * default: on most topics it names an entity (an order, an account), not a message, so two different events of one
 * entity would be taken for duplicates.
 *
 * <p>Header values and record keys are read as bytes: bytes that are UTF-8 text are that text key, other bytes are a
 * binary key ({@link RawKey#ofBytes}), which core stores in a space of its own, so a binary header never meets a text
 * header that happens to spell it (keys longer than 128 bytes are stored as digests by core).
 *
 * <p>All extractors are immutable and thread-safe.
 */
public final class RecordKeys {
    /** The header the key is read from by default. */
    public static final String DEFAULT_HEADER = "idempotency-key";

    private RecordKeys() {}

    /** The {@value #DEFAULT_HEADER} header. */
    public static KeyExtractor<ConsumerRecord<?, ?>> header() {
        return header(DEFAULT_HEADER);
    }

    /**
     * The value of the header named {@code name} (its last occurrence when repeated); empty when absent.
     *
     * @throws IllegalArgumentException if {@code name} is empty
     */
    public static KeyExtractor<ConsumerRecord<?, ?>> header(String name) {
        Objects.requireNonNull(name, "name");
        if (name.isEmpty()) {
            throw new IllegalArgumentException("header name must not be empty");
        }
        return KeyExtractor.ofRaw(record -> {
            byte[] value = RecordBytes.lastHeader(record.headers(), name);
            return value == null || value.length == 0 ? Optional.empty() : Optional.of(RawKey.ofBytes(value));
        });
    }

    /**
     * The record key: text as it is, bytes as UTF-8 text (or a binary key when not UTF-8), any other deserialized
     * type as its {@code toString()}; empty when the record has no key.
     */
    public static KeyExtractor<ConsumerRecord<?, ?>> recordKey() {
        return KeyExtractor.ofRaw(record -> {
            Object key = record.key();
            if (key == null) {
                return Optional.empty();
            }
            if (key instanceof CharSequence text) {
                return Optional.of(RawKey.of(text.toString()));
            }
            try {
                return Optional.of(RawKey.ofBytes(RecordBytes.of(key, "key")));
            } catch (io.dedup.IdempotencyKeyUnreadableException notBytes) {
                return Optional.of(RawKey.of(key.toString()));
            }
        });
    }

    /**
     * The scalar at {@code pointer} (RFC 6901, e.g. {@code /payment/id}) in the record's JSON value. A missing
     * node has no key; malformed JSON or a non-scalar node is an unreadable key.
     *
     * @throws IllegalArgumentException if {@code pointer} is not a valid JSON Pointer
     */
    public static KeyExtractor<ConsumerRecord<?, ?>> jsonPointer(String pointer) {
        return KeyExtractor.jsonPointer(record -> RecordBytes.of(record.value(), "value"), pointer);
    }

    /**
     * The SHA-256 of the value and of the named headers: byte-identical messages are duplicates of each other.
     * The key of last resort for topics whose messages carry no identifier. A tombstone has no key.
     */
    public static KeyExtractor<ConsumerRecord<?, ?>> contentHash(String... headerNames) {
        for (String name : headerNames) {
            Objects.requireNonNull(name, "headerNames");
        }
        return KeyExtractor.contentHash(
                record -> RecordBytes.of(record.value(), "value"),
                (record, name) -> RecordBytes.lastHeader(record.headers(), name),
                headerNames.clone());
    }

    /**
     * The first extractor that finds a key, in order; empty when none does. An unreadable key stops the chain
     * (it is bad input, not an absent key).
     */
    @SafeVarargs
    public static KeyExtractor<ConsumerRecord<?, ?>> chain(KeyExtractor<? super ConsumerRecord<?, ?>>... extractors) {
        if (extractors.length == 0) {
            throw new IllegalArgumentException("chain needs at least one extractor");
        }
        KeyExtractor<ConsumerRecord<?, ?>> chained = null;
        for (KeyExtractor<? super ConsumerRecord<?, ?>> extractor : extractors) {
            Objects.requireNonNull(extractor, "extractors");
            chained = chained == null ? KeyExtractor.ofRaw(extractor::extractRaw) : chained.orElse(extractor);
        }
        return chained;
    }

    /**
     * Parses an extractor from its text form, as used in properties, in the key specification grammar shared with
     * the RabbitMQ adapter ({@link KeySpecGrammar}): a comma-separated chain of {@code header} or {@code
     * header:NAME}, {@code json-pointer:/POINTER} (alias {@code json:/POINTER}), {@code content-hash} or {@code
     * content-hash:HEADER1+HEADER2}, and Kafka's own {@code record-key}. For example {@code
     * header:event-id,json-pointer:/id}.
     *
     * @throws IllegalArgumentException if {@code spec} is not in that form, quoting it and listing the forms
     */
    public static KeyExtractor<ConsumerRecord<?, ?>> parse(String spec) {
        return GRAMMAR.parse(spec);
    }

    private static final KeySpecGrammar<ConsumerRecord<?, ?>> GRAMMAR = KeySpecGrammar.<ConsumerRecord<?, ?>>builder()
            .header(RecordKeys::header, DEFAULT_HEADER)
            .jsonPointer(RecordKeys::jsonPointer)
            .contentHash(headers -> contentHash(headers.toArray(String[]::new)))
            .source("record-key", recordKey())
            .build();
}
