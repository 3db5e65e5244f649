package io.dedup.examples.orders;

/**
 * Not enough stock for an order: its transaction rolls back, so nothing of it is written.
 *
 * <p>Thread-safe: immutable once constructed.
 */
public final class OutOfStockException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Refuses {@code order}; the message names it and its sku. */
    public OutOfStockException(Order order) {
        super("order " + order.orderId() + ": not enough " + order.sku() + " for " + order.quantity());
    }
}
