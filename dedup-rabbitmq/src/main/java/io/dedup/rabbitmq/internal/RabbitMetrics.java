package io.dedup.rabbitmq.internal;

/**
 * The adapter's meters, on top of core's; a no-op unless a Micrometer registry was configured. The pipeline counts a
 * delivery when it decided what to do with it (acked, rejected, requeued, held), not when it arrives.
 *
 * <p>Implementations are thread-safe: the pipelines of one queue share one.
 */
public interface RabbitMetrics {
    /** What the adapter did with a delivery; the {@code action} tag. */
    enum Action {
        /** Acked: processed, duplicate, or run unguarded. */
        ACK("ack"),
        /** Key in progress elsewhere (or lease lost): delayed redelivery. */
        DEFER("defer"),
        /** Handler failed, to be retried after the delay. */
        RETRY("retry"),
        /** Given up on: published to the dead-letter destination, or rejected to the queue's own. */
        DEAD_LETTER("dead_letter"),
        /** Store unavailable: kept unacked and tried again after a pause. */
        BACK_OFF("back_off"),
        /** Republishing it was not confirmed: requeued after the delay. */
        REQUEUE("requeue"),
        /** Its channel closed before it was settled: the broker redelivers it. */
        STALE("stale"),
        /** Claimed but never started (its batch was cut short by a handler's Error): run again in the next batch. */
        RELEASED("released");

        private final String tag;

        Action(String tag) {
            this.tag = tag;
        }

        /** The value of the {@code action} tag. */
        String tag() {
            return tag;
        }
    }

    /** Counts nothing: without a registry the adapter pays no metering cost. */
    RabbitMetrics NOOP = new RabbitMetrics() {
        @Override
        public void delivery(Action action) {}

        @Override
        public void batch(int size) {}

        @Override
        public void reply(boolean replayed) {}
    };

    /**
     * The meters of {@code queue}: published to {@code meterRegistry} (a Micrometer {@code MeterRegistry}), or none
     * when it is null. Micrometer's classes are loaded only in the first case, so it stays an optional dependency.
     */
    static RabbitMetrics of(Object meterRegistry, String queue) {
        return meterRegistry == null ? NOOP : new MicrometerRabbitMetrics(meterRegistry, queue);
    }

    /** A delivery was settled (or held, or found stale) with {@code action}. */
    void delivery(Action action);

    /** One claim round trip covered this many deliveries. */
    void batch(int size);

    /** An RPC reply was published; replayed when it came from the store for a duplicate request. */
    void reply(boolean replayed);
}
