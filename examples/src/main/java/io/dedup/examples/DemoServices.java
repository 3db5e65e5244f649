package io.dedup.examples;

import java.util.Objects;
import java.util.function.Function;

/**
 * Where the demo finds the services its options may ask for. Only what a run uses is ever contacted, so the
 * default demo (Kafka from its own jars, the in-memory store) needs none of them. Immutable; thread-safe.
 *
 * @param redisUri {@code DEDUP_REDIS_URI}, default {@code redis://127.0.0.1:6379}
 * @param jdbcUrl {@code DEDUP_JDBC_URL}, default {@code jdbc:postgresql://127.0.0.1:5432/test}
 * @param jdbcUser {@code DEDUP_JDBC_USER}, default {@code postgres}
 * @param jdbcPassword {@code DEDUP_JDBC_PASSWORD}, default empty; never printed
 * @param rabbitUri {@code DEDUP_RABBITMQ_URI}, default {@code amqp://guest:guest@127.0.0.1:5672}
 */
public record DemoServices(String redisUri, String jdbcUrl, String jdbcUser, String jdbcPassword, String rabbitUri) {
    /** @throws NullPointerException if a value is null (an unset variable is its default, never null) */
    public DemoServices {
        Objects.requireNonNull(redisUri, "redisUri");
        Objects.requireNonNull(jdbcUrl, "jdbcUrl");
        Objects.requireNonNull(jdbcUser, "jdbcUser");
        Objects.requireNonNull(jdbcPassword, "jdbcPassword");
        Objects.requireNonNull(rabbitUri, "rabbitUri");
    }

    /** From the environment variables named above, else the local defaults. */
    public static DemoServices fromEnvironment() {
        return from(System::getenv);
    }

    /** The services named by {@code environment} ({@code DEDUP_*} variables), with the local defaults for the rest. */
    static DemoServices from(Function<String, String> environment) {
        Function<String, String> get = name -> {
            String value = environment.apply(name);
            return value == null || value.isBlank() ? null : value.trim();
        };
        return new DemoServices(
                Objects.requireNonNullElse(get.apply("DEDUP_REDIS_URI"), "redis://127.0.0.1:6379"),
                Objects.requireNonNullElse(get.apply("DEDUP_JDBC_URL"), "jdbc:postgresql://127.0.0.1:5432/test"),
                Objects.requireNonNullElse(get.apply("DEDUP_JDBC_USER"), "postgres"),
                Objects.requireNonNullElse(get.apply("DEDUP_JDBC_PASSWORD"), ""),
                Objects.requireNonNullElse(get.apply("DEDUP_RABBITMQ_URI"), "amqp://guest:guest@127.0.0.1:5672"));
    }

    /** A URI without its user information, for messages. */
    static String redact(String uri) {
        return uri.replaceAll("//[^/@]*@", "//");
    }

    /** The services without their passwords, for the demo's output. */
    @Override
    public String toString() {
        return "DemoServices[redis " + redact(redisUri) + ", jdbc " + jdbcUrl.replaceAll("\\?.*", "") + ", rabbitmq "
                + redact(rabbitUri) + "]";
    }
}
