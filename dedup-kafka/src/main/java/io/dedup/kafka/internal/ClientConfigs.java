package io.dedup.kafka.internal;

import io.dedup.spi.Checks;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The client configurations both runners derive from the consumer configuration a user gives them: a producer's
 * (for dead letters, or the transactional-producer mode) and the consumer's own, cleaned of dedup's keys. Also the
 * argument checks the two runner builders share.
 *
 * <p>Thread-safe: stateless.
 */
public final class ClientConfigs {
    private ClientConfigs() {}

    /**
     * Producer settings taken over from the consumer's: where the cluster is and how to reach it (bootstrap servers,
     * security, timeouts). Not the client id (a producer's must differ), serializers or interceptors, which are the
     * consumer's own.
     */
    public static Map<String, Object> producerConfig(Map<String, ?> consumerConfig) {
        Map<String, Object> config = new HashMap<>();
        Set<String> producerNames = ProducerConfig.configNames();
        consumerConfig.forEach((key, value) -> {
            if (producerNames.contains(key)
                    && !key.equals(ProducerConfig.CLIENT_ID_CONFIG)
                    && !key.endsWith(".serializer")
                    && !key.startsWith("interceptor")) {
                config.put(key, value);
            }
        });
        return config;
    }

    /**
     * A byte-array producer for dead letters: the consumer's cluster settings, {@code acks=all} (a dead letter must
     * not be lost once its record is acknowledged or committed past), the client id {@code clientId}, and {@code
     * overrides} last.
     */
    public static Producer<byte[], byte[]> deadLetterProducer(
            Map<String, ?> consumerConfig, String clientId, Map<String, Object> overrides) {
        Map<String, Object> config = producerConfig(consumerConfig);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        config.putAll(overrides);
        return new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer());
    }

    /** The consumer's own configuration: the user's, without the {@code dedup.*} keys Kafka would warn about. */
    public static Map<String, Object> consumerConfig(Map<String, ?> consumerConfig) {
        Map<String, Object> config = new HashMap<>(consumerConfig);
        config.keySet().removeIf(key -> key.startsWith("dedup."));
        return config;
    }

    /**
     * The group id of {@code consumerConfig}.
     *
     * @throws IllegalArgumentException if it has none, saying why the runner needs one ({@code why})
     */
    public static String requireGroupId(Map<String, ?> consumerConfig, String why) {
        Object groupId = consumerConfig.get(ConsumerConfig.GROUP_ID_CONFIG);
        if (groupId == null || groupId.toString().isEmpty()) {
            throw new IllegalArgumentException("consumerConfig needs group.id: " + why);
        }
        return groupId.toString();
    }

    /**
     * The topics a runner subscribes to, copied.
     *
     * @throws IllegalArgumentException if there are none
     */
    public static List<String> topics(Collection<String> topics) {
        Objects.requireNonNull(topics, "topics");
        if (topics.isEmpty()) {
            throw new IllegalArgumentException("topics must not be empty");
        }
        return List.copyOf(topics);
    }

    /**
     * Checks a back-off pair.
     *
     * @throws IllegalArgumentException if either is not positive, or {@code max} is shorter than {@code first}
     */
    public static void checkBackoff(Duration first, Duration max) {
        Duration checkedFirst = Checks.positive(first, "first"); // first, then max: the order of the messages
        Checks.notShorter(Checks.positive(max, "max"), "max", checkedFirst, "first");
    }
}
