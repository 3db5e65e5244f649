package io.dedup.testkit;

import java.io.IOException;
import java.io.OutputStream;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;

/**
 * The files a {@link KafkaBroker} child reads: {@code server.properties} for one combined broker+controller node on
 * 127.0.0.1, tuned to start fast and stay small on a shared test machine, and a log4j2 configuration that keeps the
 * broker log readable.
 *
 * <p>Stateless; thread-safe.
 */
final class KafkaBrokerConfig {
    /** Port-independent settings: one combined node, RF 1 everywhere, few threads, fast (re)start. */
    private static final String DEFAULTS =
            """
      process.roles=broker,controller
      node.id=1
      controller.listener.names=CONTROLLER
      inter.broker.listener.name=PLAINTEXT
      listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
      num.partitions=1
      auto.create.topics.enable=true
      offsets.topic.replication.factor=1
      # default 50 partitions make the first group join slow
      offsets.topic.num.partitions=1
      transaction.state.log.replication.factor=1
      transaction.state.log.min.isr=1
      transaction.state.log.num.partitions=1
      share.coordinator.state.topic.replication.factor=1
      share.coordinator.state.topic.min.isr=1
      group.initial.rebalance.delay.ms=0
      num.network.threads=1
      num.io.threads=2
      background.threads=2
      num.recovery.threads.per.data.dir=1
      log.cleaner.dedupe.buffer.size=2097152
      log.index.size.max.bytes=1048576
      # after SIGKILL the restarted controller answers DUPLICATE_BROKER_REGISTRATION to the new
      # incarnation until the old broker session expires (default 9 s)
      broker.heartbeat.interval.ms=500
      broker.session.timeout.ms=2000
      """;

    /** Child log4j2 config: INFO to stdout (= broker.log) minus the 500-line config dumps. */
    private static final String LOG4J2 =
            """
      <Configuration shutdownHook="disable"><Appenders><Console name="OUT">
      <PatternLayout pattern="[%d] %p %m (%c)%n"/></Console></Appenders><Loggers>
      <Logger name="org.apache.kafka.common.config.AbstractConfig" level="WARN"/>
      <Logger name="state.change.logger" level="WARN"/>
      <Root level="INFO"><AppenderRef ref="OUT"/></Root></Loggers></Configuration>
      """;

    private KafkaBrokerConfig() {}

    // Why the defaults: a single node must hold every internal topic (replication factor 1), the first group join
    // and the first transaction must not wait for 50 partitions to be created, and a broker killed with SIGKILL must
    // be able to register again within seconds of its restart, which the short broker session allows.

    /**
     * Writes {@code server.properties} and {@code log4j2.xml} into {@code dir}: the defaults, the two listeners on
     * the given ports, data under {@code dir/data}, then {@code overrides} on top.
     *
     * @throws IOException if a file cannot be written
     */
    static void write(Path dir, int port, int controllerPort, Map<String, String> overrides) throws IOException {
        Properties p = new Properties();
        p.load(new StringReader(DEFAULTS));
        p.put("controller.quorum.bootstrap.servers", "127.0.0.1:" + controllerPort);
        p.put("listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
        p.put("log.dirs", dir.resolve("data").toString());
        p.putAll(overrides);
        try (OutputStream out = Files.newOutputStream(dir.resolve("server.properties"))) {
            p.store(out, "written by " + KafkaBroker.class.getName());
        }
        Files.writeString(dir.resolve("log4j2.xml"), LOG4J2);
    }
}
