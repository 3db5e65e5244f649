package io.dedup.examples.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import io.dedup.examples.ExampleKafka;
import io.dedup.examples.LocalPostgres;
import io.dedup.examples.SharedKafka;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class KafkaToPostgresExampleTest {
    @Test
    void each_payment_is_posted_exactly_once_and_the_database_holds_the_offsets() throws Exception {
        KafkaToPostgresExample.Outcome outcome;
        try (HikariDataSource dataSource = LocalPostgres.pool();
                ExampleKafka kafka = ExampleKafka.at(SharedKafka.bootstrapServers())) {
            outcome = KafkaToPostgresExample.run(
                    kafka, dataSource, UUID.randomUUID().toString().substring(0, 8));
        }

        assertThat(outcome.postings())
                .hasSize(KafkaToPostgresExample.PAYMENTS)
                .allSatisfy(
                        (payment, postings) -> assertThat(postings).as(payment).isEqualTo(1));
        assertThat(outcome.balances()).isEqualTo(outcome.expectedBalances());
        // Kafka's own offsets were reset to 0 in between: the second consumer resumed from the database's.
        assertThat(outcome.databaseOffsets()).isEqualTo(outcome.endOffsets());
    }
}
