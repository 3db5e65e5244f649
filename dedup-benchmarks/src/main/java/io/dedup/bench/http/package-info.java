/**
 * The HTTP benchmark: a load generator ({@link io.dedup.bench.http.HttpBench}) against an embedded Jetty 12 in a child
 * JVM ({@link io.dedup.bench.http.HttpBenchServer}), with and without the {@code Idempotency-Key} filter, on the
 * in-memory and the Redis store. Run by hand, never by the build; see docs/benchmarks.md.
 */
package io.dedup.bench.http;
