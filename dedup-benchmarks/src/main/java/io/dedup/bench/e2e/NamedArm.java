package io.dedup.bench.e2e;

/**
 * What every {@link Arm} declares the same way: its name in the results, the store its dedup layer uses and the
 * broker it reads from. The fields are final; whether the arm as a whole is thread-safe is the subclass's to say
 * (none is: the harness runs one measurement at a time).
 */
abstract class NamedArm implements Arm {
    /** {@link #broker()} of the arms that consume a Kafka topic. */
    static final String KAFKA = "kafka";

    /** {@link #broker()} of the arms that drain a RabbitMQ queue. */
    static final String RABBITMQ = "rabbitmq";

    private final String name;
    private final StoreKind store;
    private final String broker;

    /** An arm known as {@code name}, keeping keys in {@code store}, reading from {@code broker}. */
    NamedArm(String name, StoreKind store, String broker) {
        this.name = name;
        this.store = store;
        this.broker = broker;
    }

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final StoreKind store() {
        return store;
    }

    @Override
    public final String broker() {
        return broker;
    }
}
