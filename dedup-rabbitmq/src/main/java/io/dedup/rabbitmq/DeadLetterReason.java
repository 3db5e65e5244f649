package io.dedup.rabbitmq;

/** Why dedup dead-lettered a delivery; the value of the {@link DedupHeaders#REASON} header. */
public enum DeadLetterReason {
    /** The handler failed on its last attempt. */
    HANDLER_FAILED("handler-failed"),
    /** The delivery carried no idempotency key where the key extractor looks. */
    KEY_MISSING("key-missing"),
    /** The key's place exists but could not be read (malformed JSON, say). */
    KEY_UNREADABLE("key-unreadable"),
    /** The key was used before for a different payload (fingerprint checking on). */
    CONFLICT("conflict"),
    /** The store holds a record for the key that cannot be read. */
    STORE_RECORD_UNREADABLE("store-record-unreadable");

    private final String header;

    DeadLetterReason(String header) {
        this.header = header;
    }

    /** The value written to the {@link DedupHeaders#REASON} header. */
    public String header() {
        return header;
    }
}
