/**
 * Benchmarks. Run {@code ./mvnw -q -pl dedup-benchmarks -am package -DskipTests} then
 * {@code java -jar dedup-benchmarks/target/benchmarks.jar <regex>}. Numbers are only compared within one run.
 *
 * <p>Three kinds, each answering a different question:
 *
 * <ul>
 *   <li>JMH micro-benchmarks in this package ({@code InMemoryWrappedCallBenchmark}, {@code KafkaPollBenchmark},
 *       {@code RedisClaimBenchmark}, {@code JdbcStoreBenchmark}, {@code RabbitConsumeBenchmark}): what one call or
 *       one poll costs, each against a baseline without dedup measured in the same run;
 *   <li>the end-to-end harness ({@link io.dedup.bench.e2e}): whole consumers on a real broker, this library against
 *       Apache Camel's Idempotent Consumer and a plain consumer, on the same records;
 *   <li>the HTTP benchmark ({@link io.dedup.bench.http}) and the storage probes ({@code RedisBytesPerKey}, {@code
 *       StoreBytesPerKey}): the idempotency filter under load, and what a kept key costs each store.
 * </ul>
 *
 * <p>The machines these run on are shared and have two cores, so no figure is compared across runs and no test
 * asserts a wall-clock time (DESIGN §5); what the benchmarks hold are ratios within a run and counts (store calls
 * per message, handler runs per key) that do not depend on the machine.
 */
package io.dedup.bench;
