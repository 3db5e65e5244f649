/**
 * The end-to-end comparison harness: the same Kafka records consumed by this library's runner, by Apache Camel's
 * Idempotent Consumer and by a no-dedup baseline, in one run. Entry point {@link io.dedup.bench.e2e.EndToEndBench};
 * an arm is an {@link io.dedup.bench.e2e.Arm}, listed in {@code Arms}. See {@code docs/benchmarks.md}.
 */
package io.dedup.bench.e2e;
