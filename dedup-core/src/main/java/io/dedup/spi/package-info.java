/**
 * The store SPI: what a processed-keys store implements ({@link io.dedup.spi.DedupStore}) and how a store module
 * makes itself discoverable ({@link io.dedup.spi.DedupStoreProvider}). Applications rarely call it directly;
 * adapters reach it through {@link io.dedup.DedupConsumer}. Transport adapters plug in here too: where their message's
 * key lives by default ({@link io.dedup.spi.DefaultKeyExtractorProvider}) and their words in the one key
 * specification grammar ({@link io.dedup.spi.KeySpecGrammar}).
 *
 * <p>Every store keeps the same contract, proven by the contract kit in {@code dedup-testkit}: claims are atomic,
 * expiry is judged by the store's clock and set in the same atomic step as each write, fencing tokens strictly
 * increase per key and never repeat while an older holder may be alive, and a store that cannot answer throws
 * {@link io.dedup.DedupStoreUnavailableException} rather than guessing.
 *
 * <p>All parameters and return values are non-null unless documented otherwise.
 */
package io.dedup.spi;
