package io.dedup.internal;

import io.dedup.DedupKey;
import io.dedup.IdempotencyKeyException;
import io.dedup.IdempotencyKeyMissingException;
import io.dedup.IdempotencyKeyUnreadableException;
import io.dedup.RawKey;
import io.dedup.spi.ClaimRequest;
import java.util.Optional;

/**
 * Turns a message into what the store is asked: its key in the consumer's namespace (text, binary or digest, each in
 * its own stored space) and the claim request carrying the lease, the retention and the optional payload fingerprint.
 *
 * <p>Thread-safe: immutable; the key extractor and describer it calls are the application's and must be.
 */
final class MessageKeys<M> {
    private final EngineSettings<M> settings;

    MessageKeys(EngineSettings<M> settings) {
        this.settings = settings;
    }

    /**
     * The message's key as stored.
     *
     * @throws IdempotencyKeyException if it has none, an empty one, or one that cannot be read; the message names
     *     the message (by the describer, never its payload) and the namespace
     */
    DedupKey keyOf(M message) {
        Optional<RawKey> raw;
        try {
            raw = settings.keyExtractor().extractRaw(message);
        } catch (IdempotencyKeyException e) {
            throw withSource(e, message);
        }
        // an empty key would make every such message the same key: treated as missing, never claimed
        if (raw.isEmpty() || raw.get().isEmpty()) {
            throw new IdempotencyKeyMissingException((raw.isEmpty() ? "no idempotency key" : "empty idempotency key")
                    + " in " + settings.describer().apply(message) + " (namespace " + settings.namespace() + ")");
        }
        RawKey key = raw.get();
        if (key.isBinary()) { // its own stored space (#bin:), never a text key's (DESIGN §8)
            return settings.shared().digestAllKeys()
                    ? DedupKey.digestOfBytes(settings.namespace(), key.bytes())
                    : DedupKey.ofBytes(settings.namespace(), key.bytes());
        }
        return settings.shared().digestAllKeys()
                ? DedupKey.digestOf(settings.namespace(), key.text())
                : DedupKey.of(settings.namespace(), key.text());
    }

    /** The extractor's error naming the message it concerns, unless it does already. */
    private IdempotencyKeyException withSource(IdempotencyKeyException e, M message) {
        String source = settings.describer().apply(message);
        if (e.getMessage() != null && e.getMessage().contains(source)) {
            return e;
        }
        return e instanceof IdempotencyKeyMissingException
                ? new IdempotencyKeyMissingException(e.getMessage() + " in " + source)
                : new IdempotencyKeyUnreadableException(e.getMessage() + " in " + source, e);
    }

    /**
     * The claim of {@code key}. With fingerprinting on, a null payload gets the fingerprint {@code "null"} rather than
     * none, so that it still conflicts with a real payload under the same key.
     */
    ClaimRequest requestFor(DedupKey key, M message) {
        if (settings.fingerprintPayload() == null) {
            return new ClaimRequest(
                    key, settings.shared().lease(), settings.shared().retention(), Optional.empty());
        }
        byte[] payload = settings.fingerprintPayload().apply(message);
        String fingerprint = payload == null ? "null" : Sha256.base64url(Sha256.of(payload));
        return new ClaimRequest(
                key, settings.shared().lease(), settings.shared().retention(), Optional.of(fingerprint));
    }
}
