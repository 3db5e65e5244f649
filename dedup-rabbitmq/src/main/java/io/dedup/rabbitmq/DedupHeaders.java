package io.dedup.rabbitmq;

/**
 * The message headers dedup reads and writes. Dead letters carry the reason and, for failed handlers, the error;
 * retried deliveries carry the attempt count; replayed RPC replies say so. Constants only: thread-safe.
 */
public final class DedupHeaders {
    /** Default header holding an idempotency key, for {@link RabbitKeys#header()}. */
    public static final String IDEMPOTENCY_KEY = "idempotency-key";
    /** The attempt number of a delivery the library republished for retry (1 on the first delivery, absent). */
    public static final String ATTEMPT = "x-dedup-attempt";
    /** How often the delivery was deferred because its key was in progress elsewhere. */
    public static final String DEFERRALS = "x-dedup-deferrals";
    /**
     * On dead letters: why, a {@link io.dedup.DeadLetterReason} name ({@code HANDLER_FAILED}, {@code KEY_MISSING},
     * ...), the same words as Kafka's {@code dedup.dlt.reason}.
     */
    public static final String REASON = "x-dedup-reason";
    /** On dead letters: the exception's class name. */
    public static final String ERROR_CLASS = "x-dedup-error-class";
    /** On dead letters: the exception's message (at most 1000 characters). */
    public static final String ERROR_MESSAGE = "x-dedup-error-message";
    /** On dead letters: how many times the handler ran for the key. */
    public static final String ATTEMPTS = "x-dedup-attempts";
    /** On dead letters and retries: the queue the delivery was consumed from. */
    public static final String QUEUE = "x-dedup-queue";
    /** On dead letters: the exchange the original message was published to. */
    public static final String ORIGINAL_EXCHANGE = "x-dedup-original-exchange";
    /** On dead letters: the routing key the original message was published with. */
    public static final String ORIGINAL_ROUTING_KEY = "x-dedup-original-routing-key";
    /** On RPC replies sent to a duplicate request: {@code true}. */
    public static final String REPLAYED = "x-dedup-replayed";

    private DedupHeaders() {}
}
