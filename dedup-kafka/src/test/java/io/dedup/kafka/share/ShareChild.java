package io.dedup.kafka.share;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.dedup.jdbc.JdbcDedupStore;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * A share-group consumer in its own JVM, for the test that SIGKILLs it: it writes each record's value to the ledger,
 * and on the value {@code hang} prints {@link #HANGING} after writing and blocks for ever.
 */
public final class ShareChild {
    static final String HANGING = "SHARE-CHILD-HANGING";

    private ShareChild() {}

    public static void main(String[] args) throws Exception {
        String bootstrap = args[0];
        String group = args[1];
        String topic = args[2];
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(args[3]);
        config.setUsername(args[4]);
        config.setPassword(args[5].isEmpty() ? null : args[5]);
        config.setMaximumPoolSize(3);
        HikariDataSource dataSource = new HikariDataSource(config);
        JdbcDedupStore store = JdbcDedupStore.builder(dataSource).table(args[6]).build();
        String ledger = args[7];
        CountDownLatch never = new CountDownLatch(1);
        java.util.Map<String, Object> consumerConfig = new java.util.HashMap<>();
        consumerConfig.put("bootstrap.servers", bootstrap);
        consumerConfig.put("group.id", group);
        KafkaShareDedupRunner.builder(consumerConfig, new StringDeserializer(), new StringDeserializer())
                .topics(topic)
                .store(store)
                .pollTimeout(Duration.ofMillis(200))
                .handler((record, delivery) -> {
                    try (Connection c = dataSource.getConnection();
                            PreparedStatement insert =
                                    c.prepareStatement("INSERT INTO " + ledger + " (idem_key, value) VALUES (?, ?)")) {
                        insert.setString(1, record.value());
                        insert.setString(2, record.value());
                        insert.executeUpdate();
                    }
                    if (record.value().equals("hang")) {
                        System.out.println(HANGING);
                        System.out.flush();
                        never.await();
                    }
                })
                .build()
                .run();
    }
}
