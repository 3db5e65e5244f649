package io.dedup.rabbitmq;

import io.dedup.DedupSettings;
import io.dedup.spi.SettingsReader;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Reads the properties {@code dedup.rabbitmq.<queue>.*} of one queue into a {@link RabbitDedupBuilder}: the reading
 * half of {@link RabbitDedupBuilder#configure(Map)}. Every value goes through the builder's own setter, so a property
 * is checked exactly like the same setting made in code; only the error message is reworded to name the property.
 *
 * <p>Stateless; each call works on the builder it is given, on the caller's thread.
 */
final class RabbitDedupProperties {
    /** The properties of one queue, after {@code dedup.rabbitmq.<queue>.}. */
    private static final List<String> QUEUE_PROPERTIES = queueProperties();

    private RabbitDedupProperties() {}

    /** The property names, with {@code <queue>} standing for the queue's name. */
    static Set<String> names() {
        Set<String> names = new TreeSet<>();
        QUEUE_PROPERTIES.forEach(name -> names.add(RabbitDedupBuilder.PROPERTY_PREFIX + "<queue>." + name));
        return names;
    }

    /**
     * Applies the properties of {@code queue} found in {@code properties} to {@code builder}, in a fixed order (the
     * adapter's own settings, then core's {@link DedupSettings} keys).
     *
     * @throws IllegalArgumentException naming the property when a value is invalid, or an unknown property of this
     *     queue and the nearest known one
     */
    static void apply(RabbitDedupBuilder builder, String queue, Map<String, String> properties) {
        String prefix = RabbitDedupBuilder.PROPERTY_PREFIX + queue + ".";
        SettingsReader reader = SettingsReader.of(properties);
        List<String> known = new ArrayList<>();
        QUEUE_PROPERTIES.forEach(name -> known.add(prefix + name));
        // a dot after the prefix may be another queue's name ("orders.eu" beside "orders"): those are not ours
        reader.rejectUnknown(prefix, known, name -> name.indexOf('.', prefix.length()) >= 0);
        Function<String, String> get = name -> reader.text(prefix + name).orElse(null);
        apply(prefix, get, "key", value -> builder.keys(RabbitKeys.parse(value)));
        apply(prefix, get, "namespace", builder::namespace);
        apply(
                prefix,
                get,
                "max-attempts",
                value -> builder.maxAttempts(SettingsReader.parseInteger(prefix + "max-attempts", value)));
        apply(
                prefix,
                get,
                "redelivery-delay",
                value -> builder.redeliveryDelay(SettingsReader.parseDuration(prefix + "redelivery-delay", value)));
        apply(
                prefix,
                get,
                "declare-topology",
                value -> builder.declareTopology(SettingsReader.parseFlag(prefix + "declare-topology", value)));
        apply(prefix, get, "retry-queue", builder::retryQueue);
        apply(
                prefix,
                get,
                "dead-letter-exchange",
                value -> builder.deadLetterExchange(value, get.apply("dead-letter-routing-key")));
        // batch size and wait are one setter: each property keeps the other half as the builder has it now
        apply(
                prefix,
                get,
                "batch-size",
                value -> builder.batching(
                        SettingsReader.parseInteger(prefix + "batch-size", value), builder.batchWait()));
        apply(
                prefix,
                get,
                "batch-wait",
                value -> builder.batching(
                        builder.batchSize(), SettingsReader.parseDuration(prefix + "batch-wait", value)));
        builder.readCoreSettings(reader, prefix);
    }

    /** {@code properties} as a map of strings, such as the JVM's system properties. */
    static Map<String, String> asMap(Properties properties) {
        Map<String, String> map = new HashMap<>();
        for (String name : properties.stringPropertyNames()) {
            map.put(name, properties.getProperty(name));
        }
        return map;
    }

    private static void apply(String prefix, Function<String, String> get, String name, Consumer<String> setter) {
        String value = get.apply(name);
        if (value == null) {
            return;
        }
        try {
            setter.accept(value);
        } catch (IllegalArgumentException e) {
            if (e.getMessage() != null && e.getMessage().startsWith(prefix + name)) {
                throw e; // the reader named it already
            }
            throw new IllegalArgumentException("invalid setting " + prefix + name + ": " + e.getMessage(), e);
        }
    }

    private static List<String> queueProperties() {
        List<String> names = new ArrayList<>(List.of(
                "key",
                "namespace",
                "max-attempts",
                "redelivery-delay",
                "declare-topology",
                "retry-queue",
                "dead-letter-exchange",
                "dead-letter-routing-key",
                "batch-size",
                "batch-wait"));
        names.addAll(DedupSettings.KEYS);
        return List.copyOf(names);
    }
}
