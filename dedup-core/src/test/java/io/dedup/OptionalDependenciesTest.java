package io.dedup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dedup.memory.InMemoryDedupStore;
import java.io.File;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Micrometer and Caffeine are optional: core must load and work without them on the class path. */
class OptionalDependenciesTest {
    /** Runs in a class loader without the optional dependencies. */
    public static final class Probe {
        public static String run() throws Exception {
            try (DedupConsumer<String> dedup = DedupConsumer.<String>builder(Optional::of)
                    .store(InMemoryDedupStore.create())
                    .build()) {
                String first = dedup.process("k", m -> "ran").getClass().getSimpleName();
                String second = dedup.process("k", m -> "ran").getClass().getSimpleName();
                return first + "," + second;
            }
        }

        public static void tryMeterRegistry() {
            DedupConsumer.<String>builder(Optional::of).meterRegistry(new Object());
        }
    }

    private static ClassLoader withoutOptionalDependencies() throws MalformedURLException {
        List<URL> urls = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (!entry.isEmpty() && !entry.contains("micrometer") && !entry.contains("caffeine")) {
                urls.add(Path.of(entry).toUri().toURL());
            }
        }
        return new URLClassLoader(urls.toArray(URL[]::new), ClassLoader.getPlatformClassLoader());
    }

    @Test
    void core_runs_without_micrometer_and_caffeine() throws Exception {
        ClassLoader loader = withoutOptionalDependencies();
        assertThatThrownBy(() -> Class.forName("io.micrometer.core.instrument.MeterRegistry", false, loader))
                .isInstanceOf(ClassNotFoundException.class);
        assertThatThrownBy(() -> Class.forName("com.github.benmanes.caffeine.cache.Caffeine", false, loader))
                .isInstanceOf(ClassNotFoundException.class);
        Class<?> probe = Class.forName(Probe.class.getName(), true, loader);
        assertThat(probe.getMethod("run").invoke(null)).isEqualTo("Processed,Duplicate");
    }

    @Test
    void asking_for_metrics_without_micrometer_is_a_clear_error() throws Exception {
        Class<?> probe = Class.forName(Probe.class.getName(), true, withoutOptionalDependencies());
        assertThatThrownBy(() -> probe.getMethod("tryMeterRegistry").invoke(null))
                .hasRootCauseInstanceOf(IllegalArgumentException.class)
                .rootCause()
                .hasMessageContaining("MeterRegistry");
    }
}
