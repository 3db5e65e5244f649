package io.dedup.examples;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Also proves that core runs without its optional dependencies: Micrometer and Caffeine are not on this classpath. */
class DemoTest {
    @Test
    void the_demo_charges_each_payment_exactly_once_and_loses_none() throws Exception {
        Demo.Report report = Demo.run(3000, 11, false);
        assertThat(report.deliveries()).isGreaterThan(report.uniqueKeys());
        assertThat(report.executions()).isEqualTo(report.uniqueKeys());
        assertThat(report.lost()).isZero();
        assertThat(report.duplicatesSuppressed()).isEqualTo(report.deliveries() - report.uniqueKeys());
        assertThat(report.line())
                .matches(
                        "exactly-once: deliveries=\\d+ unique_keys=3000 executions=3000 duplicates_suppressed=\\d+ lost=0");
    }
}
