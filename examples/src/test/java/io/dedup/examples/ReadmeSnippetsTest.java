package io.dedup.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every Java code block in the README must appear, whitespace aside, in the examples' compiled sources, so the
 * README cannot show code that does not compile.
 */
class ReadmeSnippetsTest {
    private static final Pattern JAVA_BLOCK = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL);

    private static String normalize(String code) {
        return code.replaceAll("\\s+", " ").trim();
    }

    @Test
    void every_readme_java_block_is_compiled_example_code() throws IOException {
        Path root = Path.of("..").toAbsolutePath().normalize();
        String readme = Files.readString(root.resolve("README.md"));
        String sources;
        try (Stream<Path> files = Files.walk(root.resolve("examples"))) {
            // examples/src/main/java and each example application's own (examples/spring-boot/src/main/java)
            sources = normalize(files.filter(p -> p.toString().endsWith(".java"))
                    .filter(p -> p.toString().replace('\\', '/').contains("/src/main/java/"))
                    .map(p -> {
                        try {
                            return Files.readString(p);
                        } catch (IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    })
                    .collect(Collectors.joining("\n")));
        }
        List<String> missing = new ArrayList<>();
        Matcher m = JAVA_BLOCK.matcher(readme);
        int blocks = 0;
        while (m.find()) {
            blocks++;
            if (!sources.contains(normalize(m.group(1)))) {
                missing.add(m.group(1));
            }
        }
        assertThat(blocks).as("java blocks in README.md").isGreaterThan(0);
        assertThat(missing)
                .as("README java blocks not found in examples/**/src/main/java")
                .isEmpty();
    }
}
