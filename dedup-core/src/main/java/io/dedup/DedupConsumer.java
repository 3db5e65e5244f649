package io.dedup;

import io.dedup.internal.DedupEngine;
import io.dedup.internal.ResultExceptions;
import io.dedup.spi.DedupStore;
import java.util.List;
import java.util.Objects;

/**
 * Runs a message handler at most once per idempotency key within the retention, over at-least-once delivery.
 *
 * <p>For each message: extract the key, claim it atomically in the store, run the handler only if the claim was
 * acquired (renewing the lease while it runs long), record the outcome, and report what happened as a {@link
 * DedupResult} whose {@link DedupResult#disposition()} tells the caller whether to ack, defer, retry or
 * dead-letter. Duplicates get the stored outcome without running the handler.
 *
 * <pre>{@code
 * DedupConsumer<Order> dedup = DedupConsumer.builder(KeyExtractor.<Order>jsonPointer(Order::body, "/id"))
 *         .namespace("orders")
 *         .build();
 * MessageHandler<Order> safe = dedup.decorate(order -> ship(order));
 * }</pre>
 *
 * <p>Thread-safe: one instance serves any number of threads. Close it to stop its lease-renewal thread (and the
 * store, when the consumer discovered the store itself).
 *
 * @param <M> the message type
 */
public final class DedupConsumer<M> implements AutoCloseable {
    /** Default namespace when the adapter or application sets none. */
    public static final String DEFAULT_NAMESPACE = "default";

    private final DedupEngine<M> engine;

    DedupConsumer(DedupEngine<M> engine) {
        this.engine = engine;
    }

    /**
     * Wraps {@code handler} with every default: the store selected by dependency ({@link DedupStores#discover()}),
     * the key where the message's adapter says it lives by default (a Kafka record's {@code idempotency-key}
     * header, an AMQP message-id), namespace {@value #DEFAULT_NAMESPACE}.
     *
     * @see #decorate(MessageHandler)
     * @throws DedupConfigurationException if the store modules on the classpath are ambiguous
     */
    public static <M> MessageHandler<M> wrap(MessageHandler<M> handler) {
        return DedupConsumer.<M>builder().build().decorate(handler);
    }

    /** A builder whose key extractor is found per message type from the adapters on the classpath. */
    public static <M> DedupConsumerBuilder<M> builder() {
        return new DedupConsumerBuilder<>(null);
    }

    /** A builder with the given key extractor. */
    public static <M> DedupConsumerBuilder<M> builder(KeyExtractor<? super M> keyExtractor) {
        return new DedupConsumerBuilder<>(Objects.requireNonNull(keyExtractor, "keyExtractor"));
    }

    /**
     * A handler with {@code handler}'s shape that runs it at most once per key. It returns normally when the
     * message was processed, was a duplicate, or ran unguarded under fail-open, and otherwise throws, so that a
     * caller acks only on normal return:
     *
     * <ul>
     *   <li>the handler's own exception, unchanged, when it failed (the key was released or marked failed);
     *   <li>{@link KeyInProgressException} when another worker holds the key;
     *   <li>{@link LeaseLostException} when the lease was taken over while the handler ran;
     *   <li>{@link IdempotencyConflictException} when the key was used for a different payload;
     *   <li>{@link IdempotencyKeyException} or {@link DedupStoreCorruptionException} for bad input;
     *   <li>{@link DedupStoreUnavailableException} when the store is down (fail-closed).
     * </ul>
     */
    public MessageHandler<M> decorate(MessageHandler<? super M> handler) {
        ResultHandler<M, Void> adapted = ResultHandler.of(handler);
        return message -> ResultExceptions.throwUnlessDone(process(message, adapted));
    }

    /** Claims, runs and completes one message; the handler's result is not stored. */
    public <R> DedupResult<R> process(M message, ResultHandler<? super M, ? extends R> handler) {
        return engine.process(message, handler, OutcomeCodecs.none(), true);
    }

    /**
     * Claims, runs and completes one message, storing the handler's result with {@code codec} so that duplicates
     * receive it in {@link DedupResult.Duplicate#outcome()}.
     *
     * @param finalAttempt whether a failure now is the last attempt (then {@link FailurePolicy#MARK_FAILED}
     *     applies); adapters that retry across redeliveries pass false until the last one
     */
    public <R> DedupResult<R> process(
            M message,
            ResultHandler<? super M, ? extends R> handler,
            OutcomeCodec<? super R> codec,
            boolean finalAttempt) {
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(handler, "handler");
        Objects.requireNonNull(codec, "codec");
        return engine.process(message, handler, codec, finalAttempt);
    }

    /**
     * Processes a batch with one claim round trip and one completion round trip to the store (plus one more when
     * the batch repeats a key). Handlers run sequentially in list order on the calling thread. The answer has one
     * result per message, in order.
     */
    public <R> List<DedupResult<R>> processAll(
            List<? extends M> messages, ResultHandler<? super M, ? extends R> handler) {
        return processAll(messages, handler, OutcomeCodecs.none(), true);
    }

    /** {@link #processAll(List, ResultHandler)} storing results with {@code codec}. */
    public <R> List<DedupResult<R>> processAll(
            List<? extends M> messages,
            ResultHandler<? super M, ? extends R> handler,
            OutcomeCodec<? super R> codec,
            boolean finalAttempt) {
        Objects.requireNonNull(messages, "messages");
        Objects.requireNonNull(handler, "handler");
        Objects.requireNonNull(codec, "codec");
        return engine.processAll(messages, handler, codec, finalAttempt);
    }

    /**
     * Claims the keys of {@code messages} in one round trip and hands the batch to the caller, who runs the acquired
     * entries (in any order, on any threads) with {@link ClaimedBatch#run}; completions are recorded by {@link
     * ClaimedBatch#complete()} and by {@link ClaimedBatch#close()}, which also releases what never ran. Use it in a
     * try-with-resources block. Leases are renewed while the batch is open.
     *
     * <p>The store being down is not thrown: the entries answer {@link DedupResult.Unavailable} (and under fail-open
     * {@link ClaimedBatch.Entry#mayRun()} is true, to run unguarded).
     */
    public ClaimedBatch<M> claimAll(List<? extends M> messages) {
        return engine.claimAll(Objects.requireNonNull(messages, "messages"));
    }

    /**
     * Claims like {@link #claimAll(List)}, for a pipeline that claims its next batch while the current one runs:
     * a key that {@code earlier} (a batch of this consumer's, possibly still running on another thread) claimed is
     * claimed here only once {@code earlier} settled it. So the new batch meets its own pipeline's keys as completed
     * (a duplicate) or released, never as held by another consumer; the other keys are claimed at once. The call
     * blocks while it waits, at the longest until {@code earlier} is closed.
     *
     * <p>Run {@code earlier}'s entries before this batch's: the wait is for them.
     *
     * @throws IllegalArgumentException if {@code earlier} is not a leased batch of this consumer's
     */
    public ClaimedBatch<M> claimAllBehind(List<? extends M> messages, ClaimedBatch<M> earlier) {
        Objects.requireNonNull(messages, "messages");
        Objects.requireNonNull(earlier, "earlier");
        return engine.claimAllBehind(messages, engine.ownLeased(earlier));
    }

    /**
     * Claims like {@link #claimAll(List)}, for work that commits in a transaction of the caller's (a Kafka producer
     * transaction, say): completions are recorded by {@link ClaimedBatch#commit} after the caller's commit ran, and
     * a batch closed without commit releases every key, finished or not, since its work was rolled back.
     */
    public ClaimedBatch<M> claimAllForCommit(List<? extends M> messages) {
        return engine.claimAllForCommit(Objects.requireNonNull(messages, "messages"));
    }

    /**
     * Claims within a store transaction (see {@link io.dedup.spi.TransactionalStore}): the claims, the handlers'
     * writes through the transaction's resources and the completions commit together with {@link
     * ClaimedBatch#commit}, which also releases, within the transaction, the keys that did not run; a batch closed
     * without commit rolls the transaction back. The caller began the transaction and closes it.
     */
    public ClaimedBatch<M> claimAll(List<? extends M> messages, io.dedup.spi.StoreTransaction transaction) {
        return engine.claimAll(
                Objects.requireNonNull(messages, "messages"), Objects.requireNonNull(transaction, "transaction"));
    }

    /**
     * The key {@code message} would be claimed under.
     *
     * @throws IdempotencyKeyException if it has none or it cannot be read
     */
    public DedupKey keyOf(M message) {
        return engine.keyOf(Objects.requireNonNull(message, "message"));
    }

    /** The store keys are claimed in. */
    public DedupStore store() {
        return engine.settings().store();
    }

    /** What keys are unique within (the consumer group or queue, by default). */
    public String namespace() {
        return engine.settings().namespace();
    }

    /** The shared settings it was built with: lease and renewal, retention, policies, key digests. */
    public DedupSettings settings() {
        return engine.settings().shared();
    }

    /** Stops lease renewal, and closes the store if this consumer discovered it rather than being given it. */
    @Override
    public void close() {
        engine.close();
    }
}
