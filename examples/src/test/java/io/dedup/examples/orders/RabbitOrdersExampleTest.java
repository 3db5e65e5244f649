package io.dedup.examples.orders;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.ConnectionFactory;
import com.zaxxer.hikari.HikariDataSource;
import io.dedup.examples.LocalPostgres;
import io.dedup.testkit.LocalServices;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class RabbitOrdersExampleTest {
    @Test
    void each_order_reserves_its_stock_exactly_once_and_a_failing_order_writes_nothing() throws Exception {
        ConnectionFactory rabbit = new ConnectionFactory();
        rabbit.setUri(LocalServices.rabbitmq().uri());
        RabbitOrdersExample.Outcome outcome;
        try (HikariDataSource dataSource = LocalPostgres.pool()) {
            outcome = RabbitOrdersExample.run(
                    rabbit, dataSource, UUID.randomUUID().toString().substring(0, 8));
        }

        assertThat(outcome.ordersPlaced()).isEqualTo(RabbitOrdersExample.ORDERS);
        assertThat(outcome.storedKeys()).isEqualTo(RabbitOrdersExample.ORDERS);
        int unitsTaken = outcome.stock().entrySet().stream()
                .filter(e -> !e.getKey().equals("sku-rare"))
                .mapToInt(e -> 1000 - e.getValue())
                .sum();
        assertThat(unitsTaken).as("stock reserved once per order").isEqualTo(outcome.unitsOrdered());
        assertThat(outcome.stock()).containsEntry("sku-rare", 1); // the failed order's reservation rolled back
        assertThat(outcome.deadLetters()).isEqualTo(1);
    }
}
