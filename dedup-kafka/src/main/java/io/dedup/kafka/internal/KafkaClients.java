package io.dedup.kafka.internal;

import io.dedup.DedupConfigurationException;
import java.io.IOException;
import java.io.InputStream;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.Optional;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.record.TimestampType;

/**
 * What the kafka-clients on the class path can do: dedup-kafka compiles against 4.x and runs on 3.8 and newer. The
 * 4.x-only parts of {@link ConsumerRecord} (its delivery count, from share groups) are reached through method handles
 * found once, and are absent (empty) on 3.x. Thread-safe; stateless after class initialisation.
 */
public final class KafkaClients {
    /** The oldest kafka-clients release dedup-kafka runs on. */
    static final int FLOOR_MAJOR = 3;

    /** With {@link #FLOOR_MAJOR}: 3.8 is the first release whose {@code ConsumerRecord} constructors we use. */
    static final int FLOOR_MINOR = 8;

    // Found once, in the static initialiser, so that a record pays one handle call, not a reflective lookup; null
    // where this kafka-clients lacks the member.
    private static final MethodHandle DELIVERY_COUNT;
    /**
     * The full constructor, always taking a trailing delivery count: 4.x's own, or 3.x's with that argument
     * dropped, so that building a record is one call on either.
     */
    private static final MethodHandle RECORD;

    static {
        MethodHandles.Lookup lookup = MethodHandles.publicLookup();
        MethodHandle deliveryCount = null;
        MethodHandle withCount = null;
        MethodHandle withoutCount = null;
        try {
            deliveryCount =
                    lookup.findVirtual(ConsumerRecord.class, "deliveryCount", MethodType.methodType(Optional.class));
            withCount = lookup.findConstructor(ConsumerRecord.class, constructorType(true));
        } catch (NoSuchMethodException | IllegalAccessException e) {
            // kafka-clients 3.x: records have no delivery count
        }
        try {
            withoutCount = lookup.findConstructor(ConsumerRecord.class, constructorType(false));
        } catch (NoSuchMethodException | IllegalAccessException e) {
            // a future release may drop it; the 4.x constructor serves then
        }
        DELIVERY_COUNT = deliveryCount;
        if (withCount == null && withoutCount != null) {
            withCount = MethodHandles.dropArguments(
                    withoutCount, constructorType(false).parameterCount(), Optional.class);
        }
        RECORD = withCount;
    }

    private KafkaClients() {}

    /** The type of the full {@code ConsumerRecord} constructor, with or without 4.x's trailing delivery count. */
    private static MethodType constructorType(boolean withDeliveryCount) {
        MethodType type = MethodType.methodType(void.class, new Class<?>[] {
            String.class,
            int.class,
            long.class,
            long.class,
            TimestampType.class,
            int.class,
            int.class,
            Object.class,
            Object.class,
            Headers.class,
            Optional.class
        });
        return withDeliveryCount ? type.appendParameterTypes(Optional.class) : type;
    }

    /**
     * The version of kafka-clients on the class path, as its jar reports it ({@code kafka/kafka-version.properties},
     * present in every release), or "unknown".
     */
    static String version() {
        try (InputStream in = ConsumerRecord.class.getResourceAsStream("/kafka/kafka-version.properties")) {
            if (in == null) {
                return "unknown";
            }
            Properties properties = new Properties();
            properties.load(in);
            return properties.getProperty("version", "unknown").trim();
        } catch (IOException e) {
            return "unknown";
        }
    }

    /**
     * @throws DedupConfigurationException if the kafka-clients on the class path is older than 3.8, naming the
     *     version found and the one needed
     */
    public static void requireSupported() {
        requireSupported(version());
    }

    /** {@link #requireSupported()} for a given version string, such as {@code 3.9.1} or {@code 4.1.0-SNAPSHOT}. */
    static void requireSupported(String version) {
        String[] parts = version.split("[.-]");
        int major;
        int minor;
        try {
            major = Integer.parseInt(parts[0]);
            minor = parts.length > 1 ? Integer.parseInt(parts[1]) : 0;
        } catch (NumberFormatException e) {
            return; // an unknown build ("unknown" in shaded jars): let it run rather than guess
        }
        if (major < FLOOR_MAJOR || (major == FLOOR_MAJOR && minor < FLOOR_MINOR)) {
            throw new DedupConfigurationException("dedup-kafka needs kafka-clients " + FLOOR_MAJOR + "." + FLOOR_MINOR
                    + " or newer, but found kafka-clients " + version + " on the class path");
        }
    }

    /** The record's delivery count (share groups, kafka-clients 4.x); empty on 3.x. */
    @SuppressWarnings("unchecked")
    static Optional<Short> deliveryCount(ConsumerRecord<?, ?> record) {
        if (DELIVERY_COUNT == null) {
            return Optional.empty();
        }
        try {
            return (Optional<Short>) DELIVERY_COUNT.invoke(record);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException("ConsumerRecord.deliveryCount() failed", e);
        }
    }

    /** A record with every field given, on whichever constructor this kafka-clients has. */
    @SuppressWarnings("unchecked")
    static <K, V> ConsumerRecord<K, V> record(
            String topic,
            int partition,
            long offset,
            long timestamp,
            TimestampType timestampType,
            int serializedKeySize,
            int serializedValueSize,
            K key,
            V value,
            Headers headers,
            Optional<Integer> leaderEpoch,
            Optional<Short> deliveryCount) {
        try {
            return (ConsumerRecord<K, V>) RECORD.invoke(
                    topic,
                    partition,
                    offset,
                    timestamp,
                    timestampType,
                    serializedKeySize,
                    serializedValueSize,
                    key,
                    value,
                    headers,
                    leaderEpoch,
                    deliveryCount);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException("could not build a ConsumerRecord on kafka-clients " + version(), e);
        }
    }
}
