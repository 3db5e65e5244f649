package io.dedup.examples.payments;

import static org.assertj.core.api.Assertions.assertThat;

import io.dedup.examples.ExampleKafka;
import io.dedup.examples.SharedKafka;
import io.dedup.kafka.DeadLetterHeaders;
import io.dedup.testkit.LocalServices;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class KafkaPaymentsExampleTest {
    @Test
    void each_payment_is_charged_once_and_what_cannot_be_charged_is_in_the_dead_letter_topic() throws Exception {
        String runId = UUID.randomUUID().toString().substring(0, 8);
        String redisUri = LocalServices.redis().uri();
        KafkaPaymentsExample.Outcome outcome;
        try (ExampleKafka kafka = ExampleKafka.at(SharedKafka.bootstrapServers())) {
            outcome = KafkaPaymentsExample.run(kafka, redisUri, runId);
        }

        assertThat(outcome.charges())
                .hasSize(100)
                .allSatisfy((payment, times) -> assertThat(times).as(payment).isEqualTo(1));
        Map<String, String> reasons = outcome.deadLetters().stream()
                .collect(Collectors.toMap(
                        r -> KafkaPaymentsExample.header(r, DeadLetterHeaders.REASON), r -> r.value()));
        assertThat(reasons).containsOnlyKeys("HANDLER_FAILED", "KEY_MISSING");
        assertThat(reasons.get("HANDLER_FAILED")).contains("pay-declined");
        assertThat(outcome.deadLetters())
                .filteredOn(r -> "HANDLER_FAILED".equals(KafkaPaymentsExample.header(r, DeadLetterHeaders.REASON)))
                .singleElement()
                .satisfies(r -> assertThat(KafkaPaymentsExample.header(r, DeadLetterHeaders.ATTEMPTS))
                        .isEqualTo("3"));

        RedisClient client = RedisClient.create(redisUri);
        try (StatefulRedisConnection<String, String> redis = client.connect()) {
            assertThat(redis.sync().keys("dedup-example:payments-service-" + runId + ":*"))
                    .as("the run's keys are cleaned up")
                    .isEmpty();
        } finally {
            client.shutdown();
        }
    }
}
