package io.dedup.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.lang.reflect.RecordComponent;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The configuration processor's metadata, which IDEs use to complete {@code dedup.*} keys, lists every property
 * {@link DedupProperties} binds (walked from its record components, so a new property cannot be forgotten), with a description.
 */
class ConfigurationMetadataTest {
    @Test
    void the_metadata_lists_every_dedup_property_with_a_description() throws Exception {
        JsonNode metadata;
        try (InputStream in = getClass().getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
            assertThat(in)
                    .as("META-INF/spring-configuration-metadata.json on the class path")
                    .isNotNull();
            metadata = new ObjectMapper().readTree(in);
        }
        Set<String> listed = new HashSet<>();
        for (JsonNode property : metadata.get("properties")) {
            listed.add(property.get("name").asText());
            assertThat(property.path("description").asText())
                    .as("description of " + property.get("name").asText())
                    .isNotBlank();
        }
        Set<String> bound = new TreeSet<>();
        walk("dedup", DedupProperties.class, bound);

        assertThat(bound).hasSizeGreaterThan(15);
        assertThat(listed).containsAll(bound);
    }

    /** Every leaf property reachable from {@code type}'s record components, in Boot's kebab-case form. */
    private static void walk(String prefix, Class<?> type, Set<String> out) {
        for (RecordComponent component : type.getRecordComponents()) {
            String name = prefix + "." + kebab(component.getName());
            Class<?> propertyType = component.getType();
            boolean leaf = propertyType.isPrimitive()
                    || propertyType.isEnum()
                    || propertyType == String.class
                    || propertyType == Duration.class
                    || Map.class.isAssignableFrom(propertyType);
            if (leaf) {
                out.add(name);
            } else {
                walk(name, propertyType, out);
            }
        }
    }

    private static String kebab(String camel) {
        return camel.replaceAll("([a-z])([A-Z])", "$1-$2").toLowerCase(java.util.Locale.ROOT);
    }
}
