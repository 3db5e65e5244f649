/**
 * The demo ({@link io.dedup.examples.Demo}, run by {@code ./demo}) and what the worked examples share. The worked
 * examples are in the subpackages {@code payments}, {@code orders}, {@code ledger} and {@code rpc}.
 *
 * <p>The demo tells one story on whichever broker and store it is given: payments arrive with the duplicates real
 * systems make (a producer's retried send, a consumer that died before committing, an operator's replay), and every
 * payment must be charged exactly once. Each scenario ({@code KafkaScenario}, {@code RabbitScenario}, {@code
 * InProcessScenario}) provokes those duplicates the way its broker really produces them, counts deliveries below the
 * dedup layer and charges in a ledger above it, and ends with {@code Demo.finish}: the same summary and the same
 * stable last line for every broker, which scripts and the README rely on.
 *
 * <p>Nothing here is API. The classes are written to be read next to the docs: each worked example is what an
 * application would write, and the demo's helpers exist only to make the duplicates happen on cue.
 */
package io.dedup.examples;
