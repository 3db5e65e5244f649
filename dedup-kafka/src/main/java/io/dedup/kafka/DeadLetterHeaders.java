package io.dedup.kafka;

/**
 * The headers a dead letter carries in addition to the original record's own headers (which are copied as they
 * are, with the original key, value and timestamp). Values are UTF-8 text. Constants only: thread-safe.
 */
public final class DeadLetterHeaders {
    /** A {@link io.dedup.DeadLetterReason} name, the same words as RabbitMQ's {@code x-dedup-reason}. */
    public static final String REASON = "dedup.dlt.reason";
    /** The class of the last exception, when there was one. */
    public static final String EXCEPTION_CLASS = "dedup.dlt.exception.class";
    /** The message of the last exception (at most {@value #MAX_MESSAGE_CHARS} characters), when it had one. */
    public static final String EXCEPTION_MESSAGE = "dedup.dlt.exception.message";
    /** How many times the handler ran for the record and failed (0 for bad input). */
    public static final String ATTEMPTS = "dedup.dlt.attempts";
    /** The topic the record was consumed from. */
    public static final String ORIGINAL_TOPIC = "dedup.dlt.original.topic";
    /** The partition the record was consumed from, in decimal. */
    public static final String ORIGINAL_PARTITION = "dedup.dlt.original.partition";
    /** The record's offset, in decimal. */
    public static final String ORIGINAL_OFFSET = "dedup.dlt.original.offset";

    /** Exception messages are cut to this length. */
    public static final int MAX_MESSAGE_CHARS = 2000;

    private DeadLetterHeaders() {}
}
