/**
 * Benchmarks. Run {@code ./mvnw -q -pl dedup-benchmarks -am package -DskipTests} then
 * {@code java -jar dedup-benchmarks/target/benchmarks.jar <regex>}. Numbers are only compared within one run.
 */
package io.dedup.bench;
