package io.dedup.examples;

import io.dedup.testkit.KafkaBroker;

/**
 * One Kafka broker for all the tests of this module that do not need their own: started on first use, stopped when
 * the test JVM exits. Tests use topics and groups of their own, named per run.
 */
public final class SharedKafka {
    private static KafkaBroker broker;

    private SharedKafka() {}

    public static synchronized String bootstrapServers() {
        if (broker == null) {
            KafkaBroker started = KafkaBroker.start();
            Runtime.getRuntime().addShutdownHook(new Thread(started::close, "shared-kafka-stop"));
            broker = started;
        }
        return broker.bootstrapServers();
    }
}
