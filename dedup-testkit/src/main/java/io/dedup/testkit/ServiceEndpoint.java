package io.dedup.testkit;

import java.util.Objects;

/**
 * Where an integration test finds a service: the local default, an address from the environment, or a container
 * Testcontainers started. Immutable; thread-safe.
 *
 * @param service the service's name ({@code redis}, {@code postgres}, {@code mariadb}, {@code rabbitmq})
 * @param host host name or address
 * @param port TCP port
 * @param user user name, empty when the service needs none
 * @param password password, empty when none; never logged
 * @param database database (or virtual host for RabbitMQ), empty when not applicable
 */
public record ServiceEndpoint(String service, String host, int port, String user, String password, String database) {
    /** @throws NullPointerException if a component other than {@code port} is null */
    public ServiceEndpoint {
        Objects.requireNonNull(service, "service");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(password, "password");
        Objects.requireNonNull(database, "database");
    }

    /**
     * {@code redis://host:port} for Redis, {@code amqp://user:password@host:port/vhost} for RabbitMQ.
     *
     * @throws IllegalStateException for a database service, which is reached by {@link #jdbcUrl()}
     */
    public String uri() {
        return switch (service) {
            case "redis" -> "redis://" + host + ":" + port;
            case "rabbitmq" -> "amqp://" + user + ":" + password + "@" + host + ":" + port
                    + (database.isEmpty() || database.equals("/") ? "" : "/" + database);
            default -> throw new IllegalStateException(service + " has no URI; use jdbcUrl()");
        };
    }

    /**
     * The JDBC URL, for PostgreSQL and MariaDB.
     *
     * @throws IllegalStateException for Redis and RabbitMQ, which are reached by {@link #uri()}
     */
    public String jdbcUrl() {
        return switch (service) {
            case "postgres" -> "jdbc:postgresql://" + host + ":" + port + "/" + database;
            case "mariadb" -> "jdbc:mariadb://" + host + ":" + port + "/" + database;
            default -> throw new IllegalStateException(service + " has no JDBC URL; use uri()");
        };
    }

    /** For logs and failure messages: service, address and database, never the password. */
    @Override
    public String toString() {
        return service + " at " + host + ":" + port + (database.isEmpty() ? "" : "/" + database);
    }
}
