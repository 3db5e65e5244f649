package io.dedup.testkit;

import java.util.Map;

/**
 * The Testcontainers fallback, for machines with Docker but without the local services. Kept apart so that
 * Testcontainers (an optional dependency) is only loaded when it is used.
 *
 * <p>A started container lives until the JVM exits (Testcontainers' reaper removes it), since {@link LocalServices}
 * hands out its address once per JVM. Stateless; thread-safe.
 */
final class ContainerServices {
    private ContainerServices() {}

    /** Whether Testcontainers is on the class path and finds a Docker daemon; either missing means no containers. */
    static boolean dockerAvailable() {
        try {
            Class.forName("org.testcontainers.DockerClientFactory");
        } catch (ClassNotFoundException e) {
            return false;
        }
        try {
            return org.testcontainers.DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }

    /**
     * Starts the service's container (pinned image, the defaults' credentials) and returns where it listens.
     *
     * @throws IllegalArgumentException if there is no container for the service
     */
    @SuppressWarnings("resource") // lives until the JVM exits; Testcontainers' reaper removes it
    static ServiceEndpoint start(ServiceEndpoint defaults) {
        // pinned images, so a test run months from now starts the same servers
        record Image(String name, int port, Map<String, String> env) {}
        Image image =
                switch (defaults.service()) {
                    case "redis" -> new Image("redis:7.2", 6379, Map.of());
                    case "postgres" -> new Image(
                            "postgres:16", 5432, Map.of("POSTGRES_HOST_AUTH_METHOD", "trust", "POSTGRES_DB", "test"));
                    case "mariadb" -> new Image(
                            "mariadb:11",
                            3306,
                            Map.of("MARIADB_ALLOW_EMPTY_ROOT_PASSWORD", "1", "MARIADB_DATABASE", "test"));
                    case "rabbitmq" -> new Image("rabbitmq:3.13", 5672, Map.of());
                    default -> throw new IllegalArgumentException("no container for " + defaults.service());
                };
        org.testcontainers.containers.GenericContainer<?> container =
                new org.testcontainers.containers.GenericContainer<>(image.name())
                        .withExposedPorts(image.port())
                        .withEnv(image.env());
        container.start();
        return new ServiceEndpoint(
                defaults.service(),
                container.getHost(),
                container.getMappedPort(image.port()),
                defaults.user(),
                defaults.password(),
                defaults.database());
    }
}
