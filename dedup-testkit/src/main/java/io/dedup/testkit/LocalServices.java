package io.dedup.testkit;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The services integration tests talk to: the local one when it answers (an environment variable may point
 * elsewhere), otherwise a Testcontainers container when Docker is available, otherwise a failure that says what
 * to start. Never a silent skip: a skipped integration test is not a passing one.
 *
 * <p>Environment overrides: {@code DEDUP_TEST_REDIS} ({@code host:port}), {@code DEDUP_TEST_POSTGRES}, {@code
 * DEDUP_TEST_MARIADB}, {@code DEDUP_TEST_RABBITMQ}. Thread-safe; each service is looked up once per JVM.
 */
public final class LocalServices {
    /** Each service's endpoint once found, by service name; the first test that asks pays for the lookup. */
    private static final Map<String, ServiceEndpoint> FOUND = new ConcurrentHashMap<>();

    private LocalServices() {}

    /**
     * Redis, default 127.0.0.1:6379.
     *
     * @throws IllegalStateException if it does not answer at {@code DEDUP_TEST_REDIS} or the default and Docker is not
     *     available; the message says how to start it
     */
    public static ServiceEndpoint redis() {
        return find(
                new ServiceEndpoint("redis", "127.0.0.1", 6379, "", "", ""),
                "redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save \"\" --appendonly no");
    }

    /**
     * PostgreSQL, default 127.0.0.1:5432, trust auth, user postgres, database test.
     *
     * @throws IllegalStateException if it does not answer at {@code DEDUP_TEST_POSTGRES} or the default and Docker is not
     *     available; the message says how to start it
     */
    public static ServiceEndpoint postgres() {
        return find(
                new ServiceEndpoint("postgres", "127.0.0.1", 5432, "postgres", "", "test"),
                "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start");
    }

    /**
     * MariaDB, default 127.0.0.1:3306, root with an empty password, database test.
     *
     * @throws IllegalStateException if it does not answer at {@code DEDUP_TEST_MARIADB} or the default and Docker is not
     *     available; the message says how to start it
     */
    public static ServiceEndpoint mariadb() {
        return find(
                new ServiceEndpoint("mariadb", "127.0.0.1", 3306, "root", "", "test"),
                "start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd");
    }

    /**
     * RabbitMQ, default 127.0.0.1:5672, guest/guest, virtual host /.
     *
     * @throws IllegalStateException if it does not answer at {@code DEDUP_TEST_RABBITMQ} or the default and Docker is not
     *     available; the message says how to start it
     */
    public static ServiceEndpoint rabbitmq() {
        return find(
                new ServiceEndpoint("rabbitmq", "127.0.0.1", 5672, "guest", "guest", "/"), "rabbitmq-server -detached");
    }

    /** The endpoint of the service {@code defaults} describes, looked up once per JVM. */
    private static ServiceEndpoint find(ServiceEndpoint defaults, String startCommand) {
        return FOUND.computeIfAbsent(defaults.service(), name -> locate(defaults, startCommand));
    }

    /** Looks up with the real environment and Docker. */
    private static ServiceEndpoint locate(ServiceEndpoint defaults, String startCommand) {
        return locate(defaults, startCommand, System::getenv, ContainerServices::dockerAvailable);
    }

    /**
     * The lookup itself, with the environment and the Docker probe passed in so that a unit test can drive every branch:
     * the override or the default address if it answers, else a container, else a failure naming {@code startCommand}.
     *
     * @throws IllegalStateException if neither the service answers nor Docker is available
     */
    static ServiceEndpoint locate(
            ServiceEndpoint defaults,
            String startCommand,
            java.util.function.Function<String, String> environment,
            java.util.function.BooleanSupplier docker) {
        String variable = "DEDUP_TEST_" + defaults.service().toUpperCase(java.util.Locale.ROOT);
        ServiceEndpoint wanted = defaults;
        String override = environment.apply(variable);
        if (override != null && !override.isBlank()) {
            int colon = override.lastIndexOf(':');
            if (colon <= 0) {
                throw new IllegalStateException(variable + " must be host:port, got " + override);
            }
            wanted = new ServiceEndpoint(
                    defaults.service(),
                    override.substring(0, colon),
                    Integer.parseInt(override.substring(colon + 1)),
                    defaults.user(),
                    defaults.password(),
                    defaults.database());
        }
        // a service that answers wins over a container: local runs are faster and CI machines have the services
        if (answers(wanted.host(), wanted.port())) {
            return wanted;
        }
        if (docker.getAsBoolean()) {
            return ContainerServices.start(defaults);
        }
        // never a skip: a test that did not run must not pass (DESIGN §5)
        throw new IllegalStateException(defaults.service() + " is not reachable at " + wanted.host() + ":"
                + wanted.port() + " and no Docker engine is available for Testcontainers. Start it (for example: "
                + startCommand + ") or point " + variable + " at one (host:port).");
    }

    /** Whether something accepts TCP connections at host:port within a second. */
    public static boolean answers(String host, int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
