package io.dedup.chaos;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Runs a scenario once per consumer mode, each on the store that mode is used with: leased on Redis, transactional
 * on PostgreSQL. The test method takes {@code (ChaosRun.Mode mode, String store)}.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@ParameterizedTest(name = "{0} mode on {1}")
@CsvSource({"LEASED, redis", "TRANSACTIONAL, postgres"})
@interface EveryMode {}
