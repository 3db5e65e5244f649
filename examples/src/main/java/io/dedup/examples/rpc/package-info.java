/**
 * Worked example: a RabbitMQ RPC service whose duplicate requests get the stored reply.
 *
 * <p>{@link io.dedup.examples.rpc.QuoteService} computes a quote once per request id and stores the reply as the
 * key's outcome; a client that retries (its reply was lost, or it timed out) gets the same reply replayed, and the
 * quote is not computed again. {@link io.dedup.examples.rpc.QuoteClient} is the client side, over RabbitMQ's direct
 * reply-to.
 */
package io.dedup.examples.rpc;
