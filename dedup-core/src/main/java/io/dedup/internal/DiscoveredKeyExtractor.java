package io.dedup.internal;

import io.dedup.IdempotencyKeyMissingException;
import io.dedup.KeyExtractor;
import io.dedup.RawKey;
import io.dedup.spi.DefaultKeyExtractorProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The key extractor used when none was configured: asks the adapters on the classpath where the key of each
 * message type lives, once per type. A type no adapter knows answers every message with {@link
 * IdempotencyKeyMissingException} naming the type, rather than failing the build of the consumer: the application may
 * never send such a message.
 *
 * <p>Thread-safe: the providers are loaded once per class loader, the answers cached in a concurrent map.
 */
final class DiscoveredKeyExtractor<M> implements KeyExtractor<M> {
    private static final List<DefaultKeyExtractorProvider> PROVIDERS = load();
    private final Map<Class<?>, KeyExtractor<Object>> byType = new ConcurrentHashMap<>();

    private static List<DefaultKeyExtractorProvider> load() {
        List<DefaultKeyExtractorProvider> providers = new ArrayList<>();
        ServiceLoader.load(DefaultKeyExtractorProvider.class, DiscoveredKeyExtractor.class.getClassLoader())
                .forEach(providers::add);
        return List.copyOf(providers);
    }

    @Override
    public Optional<String> extract(M message) {
        return extractorFor(message).extract(message);
    }

    @Override
    public Optional<RawKey> extractRaw(M message) {
        return extractorFor(message).extractRaw(message); // binary keys of the adapter's extractor stay binary
    }

    private KeyExtractor<Object> extractorFor(M message) {
        return byType.computeIfAbsent(message.getClass(), DiscoveredKeyExtractor::find);
    }

    private static KeyExtractor<Object> find(Class<?> type) {
        for (DefaultKeyExtractorProvider provider : PROVIDERS) {
            Optional<KeyExtractor<Object>> extractor = provider.forMessageType(type);
            if (extractor.isPresent()) {
                return extractor.get();
            }
        }
        return message -> {
            throw new IdempotencyKeyMissingException(
                    "no key extractor configured and no adapter knows where the key of a " + type.getName()
                            + " lives; configure one with DedupConsumer.builder(keyExtractor)");
        };
    }
}
