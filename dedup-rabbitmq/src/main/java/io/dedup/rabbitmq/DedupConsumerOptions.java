package io.dedup.rabbitmq;

import com.rabbitmq.client.Delivery;
import io.dedup.DedupConsumer;
import io.dedup.DedupConsumerBuilder;
import io.dedup.DedupSettings;
import io.dedup.KeyExtractor;
import io.dedup.rabbitmq.internal.PendingDelivery;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * The half of a {@link RabbitDedupBuilder} that is passed on to core: the key extractor, the {@link DedupSettings}
 * and every other setting of core's {@link DedupConsumerBuilder}, and how they become the queue's one {@link
 * DedupConsumer}. The other half, the adapter's own settings, becomes a {@code QueueSettings}.
 *
 * <p>Not thread-safe, like the builder that owns it.
 */
final class DedupConsumerOptions {
    /** Settings for core's builder, each checked when set and applied in order at build. */
    private final List<Consumer<DedupConsumerBuilder<Delivery>>> settings = new ArrayList<>();

    private DedupSettings.Builder shared = DedupSettings.custom();
    private KeyExtractor<Delivery> keys = RabbitKeys.messageId();
    private boolean namespaceSet;

    /**
     * Keeps a setting of core's builder, after trying it on a throwaway builder so that an invalid argument fails
     * now, named by core, rather than at {@link #build}.
     *
     * @throws IllegalArgumentException or NullPointerException from core's setter
     */
    void add(Consumer<DedupConsumerBuilder<Delivery>> setting) {
        setting.accept(DedupConsumer.builder(keys));
        settings.add(setting);
    }

    void keys(KeyExtractor<Delivery> keys) {
        this.keys = Objects.requireNonNull(keys, "keys");
    }

    void namespace(String namespace) {
        add(b -> b.namespace(namespace));
        namespaceSet = true;
    }

    /** Replaces lease, retention, policies and digests at once; properties read later change a copy. */
    void settings(DedupSettings settings) {
        this.shared = DedupSettings.from(Objects.requireNonNull(settings, "settings"));
    }

    /** The settings properties change in place. */
    DedupSettings.Builder settings() {
        return shared;
    }

    /**
     * The queue's dedup consumer: namespaced by the queue unless a namespace was set, its meters tagged {@code
     * queue}, its log lines naming the delivery by queue, consumer and delivery tag (never by key or payload).
     */
    DedupConsumer<Delivery> build(String queue) {
        DedupConsumerBuilder<Delivery> dedup = DedupConsumer.builder(keys).settings(shared.build());
        if (!namespaceSet) {
            dedup.namespace(queue);
        }
        settings.forEach(setting -> setting.accept(dedup));
        dedup.metricTag("queue", queue);
        dedup.messageDescriber(delivery ->
                delivery instanceof PendingDelivery pending ? pending.describe(queue) : "a delivery of queue " + queue);
        return dedup.build();
    }
}
