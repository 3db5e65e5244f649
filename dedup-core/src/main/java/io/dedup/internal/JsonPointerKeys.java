package io.dedup.internal;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dedup.IdempotencyKeyUnreadableException;
import io.dedup.KeyExtractor;
import java.io.IOException;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * Keys read from a JSON body at a JSON Pointer ({@code KeyExtractor.jsonPointer}). A missing or null node is no key
 * (the extractor's fallback may try another place); a body that is not JSON, or a node that is an object or array, is
 * an unreadable key, since guessing would merge different messages under one key. Public only for {@link
 * io.dedup.KeyExtractor}; not API.
 *
 * <p>Thread-safe: Jackson's configured mapper is, and the compiled pointer is immutable.
 */
public final class JsonPointerKeys {
    // Strict: trailing garbage after the document makes the body unreadable, not silently half-read.
    private static final ObjectMapper MAPPER =
            new ObjectMapper().enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private JsonPointerKeys() {}

    /**
     * An extractor reading the node at {@code pointer} in {@code body}'s JSON.
     *
     * @throws IllegalArgumentException if {@code pointer} is not a JSON Pointer, or selects the whole document
     */
    public static <M> KeyExtractor<M> of(Function<? super M, byte[]> body, String pointer) {
        Objects.requireNonNull(body, "body");
        Objects.requireNonNull(pointer, "pointer");
        JsonPointer compiled;
        try {
            compiled = JsonPointer.compile(pointer);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("invalid JSON Pointer '" + pointer + "': " + e.getMessage(), e);
        }
        if (compiled.matches()) {
            throw new IllegalArgumentException("JSON Pointer '" + pointer + "' selects the whole document, not a key");
        }
        return message -> {
            byte[] bytes = body.apply(message);
            if (bytes == null) {
                return Optional.empty();
            }
            JsonNode root;
            try {
                root = MAPPER.readTree(bytes);
            } catch (IOException e) {
                throw new IdempotencyKeyUnreadableException(
                        "cannot read key at JSON Pointer " + pointer + ": body is not valid JSON (" + firstLine(e)
                                + ")",
                        e);
            }
            if (root == null || root.isMissingNode()) {
                throw new IdempotencyKeyUnreadableException(
                        "cannot read key at JSON Pointer " + pointer + ": body is empty");
            }
            JsonNode node = root.at(compiled);
            if (node.isMissingNode() || node.isNull()) {
                return Optional.empty();
            }
            if (!node.isValueNode()) {
                throw new IdempotencyKeyUnreadableException("key at JSON Pointer " + pointer + " is a "
                        + node.getNodeType().name().toLowerCase(java.util.Locale.ROOT) + ", not a string or number");
            }
            return Optional.of(node.asText());
        };
    }

    /** Jackson's message without the source excerpt it appends, which could quote the payload into logs. */
    private static String firstLine(IOException e) {
        String message = e instanceof com.fasterxml.jackson.core.JsonProcessingException j
                ? String.valueOf(j.getOriginalMessage())
                : String.valueOf(e.getMessage());
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}
