package io.dedup;

import io.dedup.memory.InMemoryDedupStore;
import io.dedup.spi.DedupStore;
import io.dedup.spi.DedupStoreProvider;
import io.dedup.spi.StoreSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Selects the store "by dependency": the store module on the classpath ({@code dedup-redis-store},
 * {@code dedup-jdbc-store}) provides it; with none, the in-memory store serves. Thread-safe.
 */
public final class DedupStores {
    /** The setting ({@code dedup.store} / {@code DEDUP_STORE}) that names the store when several are present. */
    public static final String STORE_PROPERTY = "dedup.store";

    /**
     * The process-wide in-memory store that discovery hands out, so that every consumer of one JVM that relies on
     * the default sees the same keys. Closing it is a no-op.
     */
    private static final InMemoryDedupStore SHARED_IN_MEMORY = InMemoryDedupStore.create();

    private DedupStores() {}

    /**
     * The store selected by the classpath and the environment: the one named by {@code dedup.store} if set
     * ({@code memory} for the in-memory store), else the only store module present, else the in-memory store.
     * The in-memory store is one per process ({@link #sharedInMemory()}); a store module's store is created anew.
     *
     * @throws DedupConfigurationException if two store modules are present and none is named, or the named one
     *     is not present
     */
    public static DedupStore discover() {
        return discover(StoreSettings.fromEnvironment(), DedupStores.class.getClassLoader());
    }

    /** {@link #discover()} with explicit settings and class loader. */
    public static DedupStore discover(StoreSettings settings, ClassLoader loader) {
        List<DedupStoreProvider> providers = new ArrayList<>();
        ServiceLoader.load(DedupStoreProvider.class, loader).forEach(providers::add);
        String wanted = settings.get(STORE_PROPERTY)
                .map(s -> s.toLowerCase(Locale.ROOT))
                .orElse(null);
        if (wanted != null) {
            if (wanted.equals("memory")) {
                return SHARED_IN_MEMORY;
            }
            for (DedupStoreProvider provider : providers) {
                if (provider.name().equalsIgnoreCase(wanted)) {
                    return provider.create(settings);
                }
            }
            throw new DedupConfigurationException(STORE_PROPERTY + "=" + wanted + " but the store modules present are "
                    + names(providers) + " (and memory)");
        }
        if (providers.isEmpty()) {
            return SHARED_IN_MEMORY;
        }
        if (providers.size() > 1) {
            throw new DedupConfigurationException("several store modules are on the classpath: " + names(providers)
                    + "; remove all but one, or choose with the system property " + STORE_PROPERTY
                    + " or the environment variable " + StoreSettings.environmentName(STORE_PROPERTY));
        }
        return providers.get(0).create(settings);
    }

    /**
     * The settings store selection reads with {@code loader}'s store modules: {@value #STORE_PROPERTY} and each
     * module's own ({@link DedupStoreProvider#settingNames()}), so that an adapter can tell them from typos.
     */
    public static Set<String> settingNames(ClassLoader loader) {
        Set<String> names = new TreeSet<>();
        names.add(STORE_PROPERTY);
        ServiceLoader.load(DedupStoreProvider.class, loader).forEach(provider -> names.addAll(provider.settingNames()));
        return names;
    }

    /** The in-memory store shared by every consumer of this process that uses the default store. */
    public static InMemoryDedupStore sharedInMemory() {
        return SHARED_IN_MEMORY;
    }

    private static String names(List<DedupStoreProvider> providers) {
        return providers.stream()
                .map(p -> p.name() + " (" + p.getClass().getName() + ")")
                .collect(Collectors.joining(", ", "[", "]"));
    }
}
