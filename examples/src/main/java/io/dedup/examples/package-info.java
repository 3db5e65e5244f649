/**
 * The demo ({@link io.dedup.examples.Demo}, run by {@code ./demo}) and what the worked examples share. The worked
 * examples are in the subpackages {@code payments}, {@code orders}, {@code ledger} and {@code rpc}.
 */
package io.dedup.examples;
