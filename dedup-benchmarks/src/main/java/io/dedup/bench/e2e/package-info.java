/**
 * The end-to-end comparison harness: the same Kafka records consumed by this library's runner, by Apache Camel's
 * Idempotent Consumer and by a no-dedup baseline, in one run. Entry point {@link io.dedup.bench.e2e.EndToEndBench};
 * an arm is an {@link io.dedup.bench.e2e.Arm}, listed in {@code Arms}. See {@code docs/benchmarks.md}.
 *
 * <p>What makes the arms comparable:
 *
 * <ul>
 *   <li>the same records: every workload is written to a topic once, before any arm runs, and every arm reads
 *       that topic from the start in its own consumer group (RabbitMQ arms: a queue filled with the same
 *       messages just before they run);
 *   <li>the same handler ({@code BenchHandler}), which counts its runs, and a check after every measurement that a
 *       dedup arm ran it exactly once per unique key: a fast arm that skipped or repeated work fails the run;
 *   <li>store calls counted on the wire (Lettuce's command recorder, a counting DataSource), not reported by the
 *       arms, so batching is credited exactly;
 *   <li>the same store time accounting: this library's arms through {@code TimedDedupStore}, Camel's through {@code
 *       TimedIdempotentRepository}, each charging a message the calls it waited for;
 *   <li>a warm-up pass per arm, arm order rotated between repetitions, and the median of the repetitions reported.
 * </ul>
 */
package io.dedup.bench.e2e;
