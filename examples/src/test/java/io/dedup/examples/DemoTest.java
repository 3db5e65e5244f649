package io.dedup.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintStream;
import org.junit.jupiter.api.Test;

class DemoTest {
    @Test
    void the_demo_without_a_broker_charges_each_payment_exactly_once() throws Exception {
        DemoReport report = Demo.run(
                DemoOptions.defaults().withBroker(DemoOptions.Broker.NONE).withMessages(3000),
                DemoServices.fromEnvironment(),
                new PrintStream(System.out));
        assertThat(report.exactlyOnce()).isTrue();
    }
}
