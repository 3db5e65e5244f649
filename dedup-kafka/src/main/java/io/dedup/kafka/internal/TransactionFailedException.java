package io.dedup.kafka.internal;

/**
 * The transaction itself failed, not the handler: the Kafka producer could not begin it. The round is retried after
 * a back-off, and the failure does not count as one of the record's attempts.
 */
final class TransactionFailedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    TransactionFailedException(Throwable cause) {
        super(cause.getMessage(), cause);
    }
}
