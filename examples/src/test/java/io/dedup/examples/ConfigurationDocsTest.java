package io.dedup.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.dedup.DedupStores;
import io.dedup.kafka.KafkaDedup;
import io.dedup.rabbitmq.RabbitDedupBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * docs/configuration.md and the settings readers agree: its "Every key" table lists exactly the keys the code reads,
 * and no key-shaped name anywhere in it is one the code does not know. Either side drifting fails the build.
 */
class ConfigurationDocsTest {
    /** A backticked key: {@code dedup.} and key characters only (no {@code *}, no {@code =value}). */
    private static final Pattern KEY = Pattern.compile("`(dedup\\.[a-z0-9<>.-]*[a-z0-9>])`");
    /** Kafka's dead-letter header names look like keys but are headers, documented as such. */
    private static final String HEADER_PREFIX = "dedup.dlt.";

    private static Set<String> knownKeys() {
        Set<String> known = new TreeSet<>(DedupStores.settingNames(ConfigurationDocsTest.class.getClassLoader()));
        known.addAll(KafkaDedup.propertyNames());
        known.addAll(RabbitDedupBuilder.propertyNames());
        return known;
    }

    private static String doc() throws IOException {
        return Files.readString(Path.of("..").toAbsolutePath().normalize().resolve("docs/configuration.md"));
    }

    private static Set<String> keysIn(String text) {
        Set<String> keys = new TreeSet<>();
        Matcher m = KEY.matcher(text);
        while (m.find()) {
            keys.add(m.group(1));
        }
        return keys;
    }

    @Test
    void the_every_key_table_lists_exactly_the_keys_the_code_reads() throws IOException {
        String doc = doc();
        int start = doc.indexOf("\n## Every key\n");
        assertThat(start)
                .as("docs/configuration.md has a section '## Every key'")
                .isNotNegative();
        int end = doc.indexOf("\n## ", start + 1);
        Set<String> listed = keysIn(doc.substring(start, end < 0 ? doc.length() : end));
        Set<String> known = knownKeys();
        assertThat(known).as("keys read by the code").hasSizeGreaterThan(30);
        Set<String> undocumented = new TreeSet<>(known);
        undocumented.removeAll(listed);
        Set<String> unknown = new TreeSet<>(listed);
        unknown.removeAll(known);
        assertThat(undocumented)
                .as("keys the code reads but docs/configuration.md does not list")
                .isEmpty();
        assertThat(unknown)
                .as("keys docs/configuration.md lists but no reader knows")
                .isEmpty();
    }

    @Test
    void every_key_named_anywhere_in_the_reference_is_known() throws IOException {
        Set<String> known = knownKeys();
        Set<String> unknown = new TreeSet<>();
        for (String key : keysIn(doc())) {
            if (!known.contains(key) && !key.startsWith(HEADER_PREFIX)) {
                unknown.add(key);
            }
        }
        assertThat(unknown)
                .as("key-shaped names in docs/configuration.md that no reader knows")
                .isEmpty();
    }
}
