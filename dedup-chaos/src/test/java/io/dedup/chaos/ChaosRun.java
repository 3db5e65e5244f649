package io.dedup.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.dedup.DedupKey;
import io.dedup.jdbc.JdbcDedupStore;
import io.dedup.redis.RedisDedupStore;
import io.dedup.spi.DedupStore;
import io.dedup.spi.RecordState;
import io.dedup.spi.StoredRecord;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * One scenario run: unique queues, ledger tables, store table or own Redis; the child consumers; the seed; and, at
 * the end, the drain and the invariants, whose figures go to the {@link Summary}. Everything it created is removed
 * on {@link #close()}. Not thread-safe: driven by the test thread.
 */
final class ChaosRun implements AutoCloseable {
    enum Mode {
        LEASED,
        TRANSACTIONAL;

        String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** The invariants' figures and the details behind them. */
    record Result(
            Summary.Row row,
            List<String> unexplainedDuplicates,
            List<String> notCompleted,
            long fencedCompletions,
            long waitingAfterStop,
            long deadLettered,
            int drainRounds) {}

    private static final SecureRandom IDS = new SecureRandom();

    final String scenario;
    final Mode mode;
    final String store;
    final long seed;
    final Random random;
    final ChaosProfile profile = ChaosProfile.current();
    final String id;
    final String namespace;
    final ChaosLedger ledger;
    /** The RabbitMQ queues, or null on Kafka. */
    final RabbitQueues queues;
    /** The Kafka topic, or null on RabbitMQ. */
    final KafkaTopics kafka;

    final ChaosBroker broker;
    final OwnRedis redis;
    private final DedupStore inspector;
    private final HikariDataSource inspectorPool;
    private final Map<String, String> settings = new LinkedHashMap<>();
    private final List<ChildConsumer> consumers = new CopyOnWriteArrayList<>();
    private final List<String> killed = new ArrayList<>();
    private final List<String> keys = new ArrayList<>();
    /** Expected keys given as bytes that are not UTF-8, by the name they have in {@link #keys}. */
    private final Map<String, byte[]> binaryKeys = new HashMap<>();

    private long deliveries;
    private int started;
    private int workQueues;

    private ChaosRun(
            String brokerName, String scenario, Mode mode, String store, int queueCount, Map<String, String> overrides)
            throws Exception {
        this.scenario = scenario;
        this.mode = mode;
        this.store = store;
        this.seed = ChaosProfile.seedFor(
                scenario + "/" + mode.label() + "/" + store + (brokerName.equals("rabbitmq") ? "" : "/" + brokerName));
        this.random = new Random(seed);
        this.id = "r" + Long.toString(Math.abs(IDS.nextLong()), 36).substring(0, 7);
        this.namespace = "chaos-" + id;
        System.out.printf(
                "%nCHAOS scenario=%s mode=%s store=%s broker=%s profile=%s seed=%d run=%s%n",
                scenario, mode.label(), store, brokerName, profile.name(), seed, id);
        this.ledger = new ChaosLedger(id, mode == Mode.TRANSACTIONAL);
        if (brokerName.equals("kafka")) {
            this.queues = null;
            this.kafka = new KafkaTopics(
                    id, namespace, queueCount, mode == Mode.TRANSACTIONAL ? this::databasePositions : null);
            this.broker = kafka;
        } else {
            this.kafka = null;
            this.queues = new RabbitQueues(id, queueCount);
            this.broker = queues;
        }
        this.workQueues = queueCount;
        settings.putAll(broker.consumerSettings());
        settings.put("mode", mode.label());
        settings.put("store", store);
        settings.put("namespace", namespace);
        settings.put("ledgerUrl", ledger.jdbcUrl());
        settings.put("effectsTable", ledger.effectsTable());
        settings.put("invocationsTable", ledger.invocationsTable());
        settings.put("leaseMillis", "2000");
        settings.put("retentionMillis", "600000");
        settings.put("lockTimeoutMillis", "2000");
        settings.put("storeTimeoutMillis", "1000");
        settings.put("redeliveryMillis", "300");
        settings.put("handlerMillis", String.valueOf(profile.handlerMillis()));
        settings.put("prefetch", "20");
        if (store.equals("redis")) {
            this.redis = OwnRedis.start();
            settings.put("redisUri", redis.uri());
            settings.put("redisPrefix", "chaos:" + id + ":");
            this.inspectorPool = null;
            this.inspector = RedisDedupStore.builder(redis.uri())
                    .keyPrefix("chaos:" + id + ":")
                    .commandTimeout(Duration.ofSeconds(5))
                    .build();
        } else {
            this.redis = null;
            String table = "chaos_" + id + "_keys";
            settings.put("jdbcUrl", ledger.jdbcUrl());
            settings.put("storeTable", table);
            HikariConfig config = new HikariConfig();
            config.setJdbcUrl(ledger.jdbcUrl());
            config.setUsername("postgres");
            config.setMaximumPoolSize(2);
            config.addDataSourceProperty("ApplicationName", "chaos-test");
            this.inspectorPool = new HikariDataSource(config);
            this.inspector = JdbcDedupStore.builder(inspectorPool)
                    .table(table)
                    .createSchema(true)
                    .lockTimeout(Duration.ofSeconds(10))
                    .build();
        }
        settings.putAll(overrides);
    }

    static ChaosRun start(String scenario, Mode mode, String store) throws Exception {
        return start(scenario, mode, store, 2, Map.of());
    }

    static ChaosRun start(String scenario, Mode mode, String store, int queues, Map<String, String> overrides)
            throws Exception {
        return new ChaosRun("rabbitmq", scenario, mode, store, queues, overrides);
    }

    /** A run on Kafka: one topic of {@code partitions} partitions on the suite's own broker. */
    static ChaosRun onKafka(String scenario, Mode mode, String store, int partitions, Map<String, String> overrides)
            throws Exception {
        return new ChaosRun("kafka", scenario, mode, store, partitions, overrides);
    }

    /** Kafka-to-database mode: the offsets the store's positions table holds for {@code topic}. */
    private Map<Integer, Long> databasePositions(String topic) {
        try (io.dedup.spi.StoreTransaction tx = inspector
                .capability(io.dedup.spi.TransactionalStore.class)
                .orElseThrow()
                .begin()) {
            return tx.positions(namespace, topic);
        }
    }

    /** Changes a consumer setting for the consumers started from now on. */
    void set(String name, String value) {
        settings.put(name, value);
    }

    String setting(String name) {
        return settings.get(name);
    }

    Duration lease() {
        return Duration.ofMillis(Long.parseLong(settings.get("leaseMillis")));
    }

    /** Spreads workloads over the first {@code count} queues only (the others serve the scenario). */
    void workQueues(int count) {
        this.workQueues = count;
    }

    /** Generates and publishes a workload of {@code keyCount} keys with duplicates. */
    Workload publish(int keyCount) throws Exception {
        Workload workload = Workload.generate(random, "", keyCount, workQueues);
        keys.addAll(workload.keys());
        publish(workload.messages());
        System.out.printf(
                "CHAOS %s: published %d keys as %d deliveries%n",
                scenario, keyCount, workload.messages().size());
        return workload;
    }

    /** Publishes more messages (replays, hostile input); they count as deliveries. */
    void publish(List<Workload.Message> messages) throws Exception {
        broker.publish(messages);
        deliveries += messages.size();
    }

    /** Keys the invariants hold to "an effect each" besides the published workload's. */
    void expectKeys(List<String> more) {
        keys.addAll(more);
    }

    /**
     * Expects a key given as raw bytes (a binary header): stored in the binary key space ({@link DedupKey#ofBytes}),
     * never as the text of its name.
     */
    void expectBinaryKey(String name, byte[] bytes) {
        keys.add(name);
        binaryKeys.put(name, bytes.clone());
    }

    List<String> keys() {
        return List.copyOf(keys);
    }

    // ------------------------------------------------------------------ consumers

    /** Starts a consumer and waits until it consumes. */
    ChildConsumer startConsumer() {
        return startConsumer(Map.of());
    }

    ChildConsumer startConsumer(Map<String, String> extra) {
        ChildConsumer child = launch(extra);
        child.awaitLine("READY", Duration.ofSeconds(90));
        return child;
    }

    /** Starts a consumer without waiting for it. */
    ChildConsumer launch(Map<String, String> extra) {
        Map<String, String> all = new LinkedHashMap<>(settings);
        String consumerId = "c" + (++started);
        all.put("id", consumerId);
        all.putAll(extra);
        ChildConsumer child = ChildConsumer.launch(
                consumerId, all, Summary.directory().resolve("logs").resolve(id));
        consumers.add(child);
        return child;
    }

    List<ChildConsumer> live() {
        return consumers.stream().filter(ChildConsumer::alive).toList();
    }

    /** SIGKILL; its attempts in flight count as died. */
    void kill(ChildConsumer child) {
        child.kill();
        killed.add(child.id());
    }

    List<String> killed() {
        return List.copyOf(killed);
    }

    /** Distinct keys with an effect so far. */
    int progress() throws Exception {
        return ledger.keysWithEffect();
    }

    /** Waits until at least {@code keysDone} keys have an effect. */
    void awaitProgress(int keysDone, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (progress() < keysDone) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("only " + progress() + " of " + keysDone + " keys done after " + timeout);
            }
            Pause.millis(100);
        }
    }

    DedupStore inspector() {
        return inspector;
    }

    /** Terminates every PostgreSQL session of this run's consumers' stores; returns how many. */
    int terminateStoreSessions() throws Exception {
        try (Connection connection = ledger.connect();
                java.sql.PreparedStatement kill = connection.prepareStatement("SELECT count(pg_terminate_backend(pid))"
                        + " FROM pg_stat_activity WHERE application_name LIKE ?")) {
            kill.setString(1, "chaos-store-" + namespace + "-%");
            try (java.sql.ResultSet rs = kill.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    /** Holds an exclusive lock on the store's table for {@code duration} (the fault), then lets go. */
    void holdStoreTableLock(Duration duration) throws Exception {
        try (Connection connection = ledger.connect()) {
            connection.setAutoCommit(false);
            try (Statement lock = connection.createStatement()) {
                lock.execute("LOCK TABLE " + settings.get("storeTable") + " IN ACCESS EXCLUSIVE MODE");
            }
            Pause.millis(duration.toMillis());
            connection.commit();
        }
    }

    // ------------------------------------------------------------------ end of run

    /**
     * Lets the consumers finish everything: resumes paused ones, starts one if none is alive, waits until every key
     * has an effect, the queues are empty and nothing has happened for a while, then stops every consumer cleanly.
     * If a clean stop gives deliveries back, consumes again (at most three rounds).
     *
     * @return how many rounds it took
     */
    int drain() throws Exception {
        int round = 0;
        while (true) {
            round++;
            for (ChildConsumer child : live()) {
                if (child.paused()) {
                    child.resume();
                }
            }
            if (live().isEmpty()) {
                startConsumer();
            }
            awaitQuiet();
            stopAll();
            if (broker.waiting() == 0 || round == 3) {
                return round;
            }
            System.out.printf(
                    "CHAOS %s: %d deliveries came back after a clean stop; consuming again%n",
                    scenario, broker.waiting());
        }
    }

    private void awaitQuiet() throws Exception {
        long deadline = System.nanoTime() + profile.drainTimeout().toNanos();
        long lastActivity = -1;
        int quietPolls = 0;
        while (true) {
            long activity = ledger.activity();
            boolean done = progress() >= keys.size() && broker.waiting() == 0;
            quietPolls = done && activity == lastActivity ? quietPolls + 1 : 0;
            lastActivity = activity;
            if (quietPolls >= 3) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not drained after " + profile.drainTimeout() + ": " + progress() + " of "
                        + keys.size() + " keys done, " + broker.waiting() + " deliveries waiting");
            }
            Pause.millis(700);
        }
    }

    /** Stops every live consumer cleanly, in parallel. */
    void stopAll() {
        List<CompletableFuture<Void>> stops = new ArrayList<>();
        for (ChildConsumer child : live()) {
            stops.add(CompletableFuture.runAsync(() -> child.stop(Duration.ofSeconds(30))));
        }
        stops.forEach(CompletableFuture::join);
    }

    /** Drains, checks the invariants every scenario shares, and records the summary row. */
    Result finish() throws Exception {
        int rounds = drain();
        long waitingAfterStop = broker.waiting();
        Map<String, List<ChaosLedger.Effect>> effectsByKey = new HashMap<>();
        for (ChaosLedger.Effect effect : ledger.effects()) {
            effectsByKey.computeIfAbsent(effect.key(), k -> new ArrayList<>()).add(effect);
        }
        long effects = 0;
        long duplicates = 0;
        long lost = 0;
        long stuck = 0;
        List<String> unexplained = new ArrayList<>();
        List<String> notCompleted = new ArrayList<>();
        for (String raw : keys) {
            byte[] binary = binaryKeys.get(raw);
            DedupKey key = binary == null ? DedupKey.of(namespace, raw) : DedupKey.ofBytes(namespace, binary);
            List<ChaosLedger.Effect> mine = effectsByKey.getOrDefault(LedgerWriter.ledgerKey(key.id()), List.of());
            effects += mine.size();
            if (mine.isEmpty()) {
                lost++;
            }
            Optional<StoredRecord> record = inspector.find(key);
            if (record.isPresent() && record.get().state() == RecordState.IN_PROGRESS) {
                stuck++;
            }
            if (record.isEmpty() || record.get().state() != RecordState.COMPLETED) {
                notCompleted.add(raw + "=" + record.map(r -> r.state().name()).orElse("absent"));
            }
            if (mine.size() > 1) {
                duplicates += mine.size() - 1;
                long completedToken = record.map(StoredRecord::token).orElse(-1L);
                long byCompleter =
                        mine.stream().filter(e -> e.token() == completedToken).count();
                boolean older = mine.stream().allMatch(e -> e.token() == completedToken || e.token() < completedToken);
                // With steps (steps=true) the completing attempt may have replayed the effect step an earlier attempt
                // recorded, so it need not have written an effect itself.
                boolean stepped = Boolean.parseBoolean(settings.getOrDefault("steps", "false"));
                if ((stepped ? byCompleter > 1 : byCompleter != 1) || !older) {
                    unexplained.add(raw + " effects " + mine + " completed token " + completedToken);
                }
            }
        }
        if (mode == Mode.TRANSACTIONAL) {
            duplicates += ledger.events("dup-refused");
        }
        long fenced = ledger.events("fenced");
        long dead = broker.deadLettered();
        Summary.Row row = new Summary.Row(
                scenario,
                mode.label(),
                store,
                broker.name(),
                keys.size(),
                deliveries,
                effects,
                duplicates,
                lost,
                ledger.events("start"),
                stuck,
                seed);
        Summary.add(row);
        System.out.printf(
                "CHAOS %s: killed %s, fenced completions %d, dead letters %d, drain rounds %d%n",
                scenario, killed, fenced, dead, rounds);
        return new Result(row, unexplained, notCompleted, fenced, waitingAfterStop, dead, rounds);
    }

    /** What a scenario does to the system at one of its fault rounds. */
    @FunctionalInterface
    interface Fault {
        void inject(int round) throws Exception;
    }

    /**
     * The shape most scenarios share: publishes the profile's keys, starts {@code consumers} consumers, injects
     * {@code fault} at {@code rounds} evenly spaced points of progress (each once the keys before it are done),
     * then finishes the run and checks the invariants.
     */
    Result underFaults(int consumers, int rounds, Fault fault) throws Exception {
        int keys = profile.keys();
        publish(keys);
        for (int i = 0; i < consumers; i++) {
            startConsumer();
        }
        for (int round = 0; round < rounds; round++) {
            awaitProgress(keys * (round + 1) / (rounds + 2), profile.drainTimeout());
            fault.inject(round);
        }
        return finishAndCheck();
    }

    /** The invariants of every scenario without hostile input. */
    Result finishAndCheck() throws Exception {
        Result result = finish();
        assertInvariants(result);
        return result;
    }

    void assertInvariants(Result result) {
        Summary.Row row = result.row();
        assertThat(row.lost()).as("keys without any effect (lost)").isZero();
        assertThat(row.stuckInProgress()).as("keys stuck in progress").isZero();
        assertThat(result.notCompleted()).as("keys not completed in the store").isEmpty();
        assertThat(result.waitingAfterStop())
                .as("deliveries left unacked after the consumers stopped")
                .isZero();
        assertThat(result.deadLettered()).as("dead letters").isZero();
        if (mode == Mode.TRANSACTIONAL) {
            assertThat(row.duplicateEffects())
                    .as("duplicate effects in transactional mode")
                    .isZero();
        } else {
            assertThat(result.unexplainedDuplicates())
                    .as("duplicate effects not explained by an attempt that died or was fenced")
                    .isEmpty();
        }
    }

    @Override
    public void close() throws Exception {
        for (ChildConsumer child : consumers) {
            if (child.alive()) {
                child.kill();
            }
        }
        try {
            broker.close();
        } finally {
            try {
                ledger.close();
            } finally {
                inspector.close();
                if (redis != null) {
                    redis.close();
                }
                if (inspectorPool != null) {
                    try (Connection connection = inspectorPool.getConnection();
                            Statement ddl = connection.createStatement()) {
                        ddl.execute("DROP TABLE IF EXISTS " + settings.get("storeTable"));
                        ddl.execute("DROP TABLE IF EXISTS " + settings.get("storeTable") + "_positions");
                    } finally {
                        inspectorPool.close();
                    }
                }
            }
        }
    }
}
