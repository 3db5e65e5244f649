package io.dedup.rabbitmq;

import com.rabbitmq.client.Delivery;

/**
 * Answers an RPC request (a delivery with {@code reply-to} and {@code correlation-id}). dedup publishes the reply to
 * the request's {@code reply-to} with its correlation id, and stores it as the key's outcome so that a duplicate
 * request gets the same reply again without the handler running.
 *
 * <p>Called on the wrapper's worker thread, one delivery at a time; an implementation used by one wrapper need not
 * be thread-safe, one shared by several wrappers (each with its own worker) must be.
 */
@FunctionalInterface
public interface RpcHandler {
    /**
     * The reply body for {@code request}; null is sent as an empty body.
     *
     * @throws Exception when the request failed; it is then retried and dead-lettered like any failed delivery,
     *     and no reply is sent
     */
    byte[] reply(Delivery request) throws Exception;
}
