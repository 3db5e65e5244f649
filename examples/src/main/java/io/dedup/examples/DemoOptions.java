package io.dedup.examples;

import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * What a demo run does: how many payments, on which broker, with which store. Immutable.
 *
 * @param messages how many distinct payments to send
 * @param seed the seed of the payment stream (amounts, accounts, which payments are sent twice)
 * @param broker where the payments travel
 * @param store where dedup keeps the processed keys
 * @param kafkaBootstrapServers an existing Kafka to use instead of starting a broker
 * @param verbose whether to print the story and progress (the last line is printed by {@link Demo} either way)
 */
public record DemoOptions(
        int messages,
        long seed,
        Broker broker,
        StoreKind store,
        Optional<String> kafkaBootstrapServers,
        boolean verbose) {
    /** The broker a run uses. */
    public enum Broker {
        /** A real single-node Kafka broker started as a child process (the default). */
        KAFKA,
        /** The local RabbitMQ ({@code DEDUP_RABBITMQ_URI}, default {@code amqp://guest:guest@127.0.0.1:5672/}). */
        RABBITMQ,
        /** No broker: the deliveries a broker would make, replayed in process through the core API. */
        NONE
    }

    /** The store a run uses. */
    public enum StoreKind {
        /** The embedded in-memory store: nothing to start, gone with the process (the default). */
        MEMORY,
        /** The Redis store at {@code DEDUP_REDIS_URI}. */
        REDIS,
        /** The JDBC store on the PostgreSQL at {@code DEDUP_JDBC_URL}. */
        JDBC
    }

    /** The {@code --help} text; the options and defaults it lists are the ones {@link #parse} applies. */
    static final String USAGE =
            """
            usage: ./demo [--messages N] [--broker kafka|rabbitmq|none] [--store memory|redis|jdbc]
                          [--bootstrap-servers HOST:PORT] [--seed S] [--quiet]

              --messages N            distinct payments to send (default 20000)
              --broker kafka          start a single-node Kafka broker as a child process (default)
              --broker rabbitmq       the RabbitMQ at DEDUP_RABBITMQ_URI (default amqp://guest:guest@127.0.0.1:5672)
              --broker none           no broker: replay the same duplicates through the core API in process
              --store memory          the embedded in-memory store (default)
              --store redis           Redis at DEDUP_REDIS_URI (default redis://127.0.0.1:6379)
              --store jdbc            PostgreSQL at DEDUP_JDBC_URL (default jdbc:postgresql://127.0.0.1:5432/test,
                                      user DEDUP_JDBC_USER or postgres, password DEDUP_JDBC_PASSWORD)
              --bootstrap-servers     use this Kafka instead of starting one
              --quiet                 print only the last line

            The last line is stable for scripts:
              exactly-once: deliveries=<n> unique_keys=<n> executions=<n> duplicates_suppressed=<n> lost=<n>
            Exit code 0 when every payment was charged exactly once, 1 otherwise, 2 on bad usage, 3 when a service
            the options need cannot be reached.
            """;

    /**
     * @throws IllegalArgumentException if {@code messages} is below 10 (too few for the scenarios' phases to differ)
     * @throws NullPointerException if an option object is null
     */
    public DemoOptions {
        if (messages < 10) {
            throw new IllegalArgumentException("messages must be at least 10, got " + messages);
        }
        Objects.requireNonNull(broker, "broker");
        Objects.requireNonNull(store, "store");
        Objects.requireNonNull(kafkaBootstrapServers, "kafkaBootstrapServers");
    }

    /**
     * 20,000 payments on Kafka with the in-memory store, seed 7, verbose: a demo that needs nothing installed but Java
     * (the broker starts from the demo's own jars) and shows every kind of duplicate in under a minute.
     */
    public static DemoOptions defaults() {
        return new DemoOptions(20_000, 7, Broker.KAFKA, StoreKind.MEMORY, Optional.empty(), true);
    }

    /**
     * Reads command-line arguments over the defaults.
     *
     * @throws IllegalArgumentException naming the argument that is wrong
     */
    public static DemoOptions parse(String... args) {
        DemoOptions o = defaults();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            switch (arg) {
                case "--quiet", "-q" -> o = o.withVerbose(false);
                case "--messages", "--broker", "--store", "--seed", "--bootstrap-servers" -> {
                    if (i + 1 >= args.length) {
                        throw new IllegalArgumentException(arg + " needs a value");
                    }
                    o = o.with(arg, args[++i]);
                }
                default -> throw new IllegalArgumentException("unknown argument " + arg);
            }
        }
        return o;
    }

    /** These options with one {@code --option value} applied. */
    private DemoOptions with(String option, String value) {
        try {
            return switch (option) {
                    // 20_000 reads as in the README's examples
                case "--messages" -> new DemoOptions(
                        Integer.parseInt(value.replace("_", "")), seed, broker, store, kafkaBootstrapServers, verbose);
                case "--seed" -> new DemoOptions(
                        messages, Long.parseLong(value), broker, store, kafkaBootstrapServers, verbose);
                case "--broker" -> withBroker(oneOf(Broker.class, value));
                case "--store" -> withStore(oneOf(StoreKind.class, value));
                default -> new DemoOptions(messages, seed, broker, store, Optional.of(value), verbose);
            };
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(option + " " + value + ": " + e.getMessage(), e);
        }
    }

    /** The constant of {@code type} named {@code value}, case-insensitive, or a failure listing the accepted names. */
    private static <E extends Enum<E>> E oneOf(Class<E> type, String value) {
        for (E constant : type.getEnumConstants()) {
            if (constant.name().equalsIgnoreCase(value)) {
                return constant;
            }
        }
        throw new IllegalArgumentException("must be one of "
                + java.util.Arrays.stream(type.getEnumConstants())
                        .map(c -> c.name().toLowerCase(Locale.ROOT))
                        .collect(java.util.stream.Collectors.joining(", ")));
    }

    /** These options with another number of payments. */
    public DemoOptions withMessages(int messages) {
        return new DemoOptions(messages, seed, broker, store, kafkaBootstrapServers, verbose);
    }

    /** These options with another broker. */
    public DemoOptions withBroker(Broker broker) {
        return new DemoOptions(messages, seed, broker, store, kafkaBootstrapServers, verbose);
    }

    /** These options with another store. */
    public DemoOptions withStore(StoreKind store) {
        return new DemoOptions(messages, seed, broker, store, kafkaBootstrapServers, verbose);
    }

    /** These options with an existing Kafka broker at {@code bootstrapServers} instead of one started for the run. */
    public DemoOptions withKafka(String bootstrapServers) {
        return new DemoOptions(messages, seed, broker, store, Optional.of(bootstrapServers), verbose);
    }

    /** These options printing the story as it happens, or only the last line. */
    public DemoOptions withVerbose(boolean verbose) {
        return new DemoOptions(messages, seed, broker, store, kafkaBootstrapServers, verbose);
    }
}
