package io.dedup.http.internal;

import io.dedup.DedupResult;
import io.dedup.OutcomeStatus;
import io.dedup.http.IdempotencyFilter;
import io.dedup.http.StoredResponse;
import io.dedup.http.StoredResponseCodec;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers a request whose key completed earlier with the stored response: the same status, the stored headers and
 * the body byte for byte, marked {@value IdempotencyFilter#REPLAYED_HEADER}. The application does not run.
 *
 * <p>Thread-safe and stateless.
 */
public final class ResponseReplay {
    private static final Logger LOG = LoggerFactory.getLogger(ResponseReplay.class);

    private final StoredResponseCodec codec;

    public ResponseReplay(StoredResponseCodec codec) {
        this.codec = codec;
    }

    /**
     * Writes {@code duplicate}'s stored response to the exchange's response; a stored record that cannot be read
     * (or a key marked failed, which holds no response) is answered with a 500 problem and logged.
     *
     * @throws IOException if the response cannot be written
     */
    public void replay(Exchange exchange, DedupResult.Duplicate<StoredResponse> duplicate) throws IOException {
        HttpServletResponse response = exchange.response();
        StoredResponse stored;
        try {
            if (duplicate.outcome().status() != OutcomeStatus.SUCCEEDED) {
                throw new IllegalArgumentException("the key is marked failed");
            }
            stored = codec.decode(duplicate.outcome().body());
        } catch (RuntimeException e) {
            LOG.error("cannot replay the stored response of {}", exchange.describe(), e);
            Problems.Answer.STORED_RESPONSE_UNREADABLE.send(response);
            return;
        }
        response.setStatus(stored.status());
        stored.headers().forEach((name, values) -> {
            if (name.equalsIgnoreCase("Content-Type")) {
                response.setContentType(values.get(0));
            } else {
                response.setHeader(name, values.get(0)); // replaces what an outer filter may have set
                values.subList(1, values.size()).forEach(value -> response.addHeader(name, value));
            }
        });
        response.setHeader(IdempotencyFilter.REPLAYED_HEADER, "true");
        if (!stored.bodyStored()) {
            response.setHeader(IdempotencyFilter.BODY_NOT_STORED_HEADER, "true");
        }
        byte[] body = stored.body();
        response.setContentLength(body.length);
        if (body.length > 0) {
            response.getOutputStream().write(body);
        }
    }
}
