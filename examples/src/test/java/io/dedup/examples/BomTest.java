package io.dedup.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** dedup-bom lists every published module, at the build's version, so that importing it is never a trap. */
class BomTest {
    private static final Set<String> UNPUBLISHED = Set.of("dedup-bom", "dedup-chaos", "dedup-benchmarks", "examples");
    private static final Pattern MODULE = Pattern.compile("<module>([^<]+)</module>");
    private static final Pattern VERSION =
            Pattern.compile("<artifactId>dedup-(?:parent|bom)</artifactId>\\s*<version>([^<]+)</version>");

    private final Path root = Path.of("..").toAbsolutePath().normalize();

    @Test
    void the_bom_manages_every_published_module_at_the_builds_version() throws IOException {
        String parent = Files.readString(root.resolve("pom.xml"));
        String bom = Files.readString(root.resolve("dedup-bom/pom.xml"));
        List<String> missing = new ArrayList<>();
        Matcher modules = MODULE.matcher(parent);
        while (modules.find()) {
            String module = modules.group(1);
            if (!UNPUBLISHED.contains(module)
                    && !module.startsWith("examples/")
                    && !bom.contains("<artifactId>" + module + "</artifactId>")) {
                missing.add(module);
            }
        }
        assertThat(missing).as("published modules missing from dedup-bom").isEmpty();
        Matcher parentVersion = VERSION.matcher(parent);
        Matcher bomVersion = VERSION.matcher(bom);
        assertThat(parentVersion.find()).isTrue();
        assertThat(bomVersion.find()).isTrue();
        assertThat(bomVersion.group(1)).isEqualTo(parentVersion.group(1));
        assertThat(bom).contains("<dedup.version>" + parentVersion.group(1) + "</dedup.version>");
        assertThat(bom).doesNotContain("<parent>");
    }
}
