package io.dedup.testkit;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The command line of a small child JVM on the test's own class path, for crash tests that SIGKILL a process in the
 * middle of its work: this JVM's {@code java}, a small serial-GC heap and quick start-up, then the caller's options,
 * the class path Surefire gave the tests, the main class and its arguments. Stateless; thread-safe.
 *
 * <pre>{@code
 * Process child = new ProcessBuilder(ChildJvm.command("128m", List.of(), MyChild.class, List.of("a", "b"))).start();
 * }</pre>
 */
public final class ChildJvm {
    private ChildJvm() {}

    /**
     * The command that starts {@code main} in a child JVM. The serial collector and C1-only compilation keep the
     * child small and quick to start on a shared two-core machine; a crash test needs it alive, not fast.
     *
     * @param maxHeap the child's {@code -Xmx}, e.g. {@code 128m}
     * @param options further JVM options (system properties, stack size), in order
     * @param main the class whose {@code main} the child runs
     * @param args its arguments
     * @return the command, to pass to a {@link ProcessBuilder}
     */
    public static List<String> command(String maxHeap, List<String> options, Class<?> main, List<String> args) {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx" + maxHeap,
                "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1"));
        command.addAll(options);
        command.add("-cp");
        // Surefire runs the tests from a manifest-only jar: the real class path is in this property.
        command.add(System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")));
        command.add(main.getName());
        command.addAll(args);
        return command;
    }
}
