package io.dedup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dedup.memory.InMemoryDedupStore;
import io.dedup.spi.DedupStore;
import io.dedup.spi.DedupStoreProvider;
import io.dedup.spi.StoreSettings;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DedupStoresTest {
    /**
     * A provider standing in for a store module: it creates an in-memory store that says the provider's name and its
     * {@code dedup.<name>.uri} setting, so a test can tell which provider made a store, with which settings.
     */
    abstract static class NamedProvider implements DedupStoreProvider {
        private final String name;

        NamedProvider(String name) {
            this.name = name;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public DedupStore create(StoreSettings settings) {
            return new Named(name + ":" + settings.get("dedup." + name + ".uri", "default"));
        }
    }

    public static class AlphaProvider extends NamedProvider {
        public AlphaProvider() {
            super("alpha");
        }
    }

    public static class BetaProvider extends NamedProvider {
        public BetaProvider() {
            super("beta");
        }
    }

    /** A store that says which provider made it. */
    static final class Named extends ForwardingStore {
        private final String name;

        Named(String name) {
            super(InMemoryDedupStore.create());
            this.name = name;
        }

        @Override
        public String describe() {
            return name;
        }
    }

    @TempDir
    Path dir;

    private ClassLoader withProviders(Class<?>... providers) throws IOException {
        Path services = dir.resolve("META-INF/services");
        Files.createDirectories(services);
        StringBuilder lines = new StringBuilder();
        for (Class<?> p : providers) {
            lines.append(p.getName()).append('\n');
        }
        Files.writeString(services.resolve(DedupStoreProvider.class.getName()), lines);
        return new URLClassLoader(new URL[] {dir.toUri().toURL()}, getClass().getClassLoader());
    }

    @Test
    void with_no_store_module_the_in_memory_store_serves() throws IOException {
        DedupStore store = DedupStores.discover(StoreSettings.of(Map.of()), withProviders());
        assertThat(store).isInstanceOf(InMemoryDedupStore.class);
        assertThat(DedupStores.discover(StoreSettings.of(Map.of()), withProviders()))
                .as("one in-memory store per process, so two default consumers see the same keys")
                .isSameAs(store)
                .isSameAs(DedupStores.sharedInMemory());
    }

    @Test
    void the_only_store_module_present_is_selected_with_its_settings() throws IOException {
        DedupStore store = DedupStores.discover(
                StoreSettings.of(Map.of("dedup.alpha.uri", "alpha://x")), withProviders(AlphaProvider.class));
        assertThat(store.describe()).isEqualTo("alpha:alpha://x");
    }

    @Test
    void two_store_modules_at_once_is_an_error_naming_both() throws IOException {
        ClassLoader loader = withProviders(AlphaProvider.class, BetaProvider.class);
        assertThatThrownBy(() -> DedupStores.discover(StoreSettings.of(Map.of()), loader))
                .isInstanceOf(DedupConfigurationException.class)
                .hasMessageContaining("alpha")
                .hasMessageContaining("beta")
                .hasMessageContaining("dedup.store");
    }

    @Test
    void the_store_setting_chooses_among_several_or_the_in_memory_store() throws IOException {
        ClassLoader loader = withProviders(AlphaProvider.class, BetaProvider.class);
        assertThat(DedupStores.discover(StoreSettings.of(Map.of("dedup.store", "beta")), loader)
                        .describe())
                .isEqualTo("beta:default");
        assertThat(DedupStores.discover(StoreSettings.of(Map.of("dedup.store", "memory")), loader))
                .isInstanceOf(InMemoryDedupStore.class);
        assertThatThrownBy(() -> DedupStores.discover(StoreSettings.of(Map.of("dedup.store", "gamma")), loader))
                .isInstanceOf(DedupConfigurationException.class)
                .hasMessageContaining("gamma");
    }

    @Test
    void settings_fall_back_to_environment_names() {
        assertThat(StoreSettings.environmentName("dedup.redis.uri")).isEqualTo("DEDUP_REDIS_URI");
        assertThat(StoreSettings.environmentName("dedup.jdbc.lock-timeout")).isEqualTo("DEDUP_JDBC_LOCK_TIMEOUT");
    }

    @Test
    void wrap_with_every_default_uses_the_discovered_store() throws Exception {
        // No store module and no adapter on core's own test classpath: the in-memory store serves, and a message
        // type no adapter knows is rejected with a reason saying how to configure a key extractor.
        MessageHandler<Msg> safe = DedupConsumer.wrap(m -> {});
        assertThatThrownBy(() -> safe.handle(Msg.of("a")))
                .isInstanceOf(IdempotencyKeyMissingException.class)
                .hasMessageContaining(Msg.class.getName())
                .hasMessageContaining("DedupConsumer.builder(keyExtractor)");
    }
}
