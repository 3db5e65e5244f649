package io.dedup.bench.e2e;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.camel.component.redis.processor.idempotent.SpringRedisStringIdempotentRepository;
import org.apache.camel.processor.idempotent.jdbc.JdbcMessageIdRepository;
import org.apache.camel.support.processor.idempotent.MemoryIdempotentRepository;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * The three Camel repositories compared, each set up the way a careful Camel user would: sized, expiring and
 * constrained so that Camel's dedup is correct for the whole run (the harness checks its handler counts like ours),
 * and on the same counted clients and data sources as this library's stores, so store calls are counted alike.
 *
 * <p>Each repository holds the state of one run at a time; not thread-safe.
 */
final class CamelRepositories {
    /** Redis keys expire after the same time our stores keep completed keys by default. */
    static final Duration REDIS_EXPIRY = Duration.ofHours(24);

    private CamelRepositories() {}

    /**
     * {@link MemoryIdempotentRepository} sized to hold every key of the run: with its default of 1000 entries
     * (an LRU cache) older keys would be forgotten and their duplicates handled again.
     */
    static CamelRepository memory() {
        return CamelRepository.of(
                StoreKind.MEMORY,
                run -> MemoryIdempotentRepository.memoryIdempotentRepository(
                        run.workload().messages() + 1),
                run -> {}); // garbage
    }

    /**
     * {@link SpringRedisStringIdempotentRepository} (one {@code SET key key NX EX} per message) with an expiry,
     * over a Lettuce connection factory; keys are {@code <processor name>:<key>}.
     */
    static CamelRepository redis() {
        // the run's Spring connection factory, made in create and destroyed in cleanUp, since it owns connections
        AtomicReference<LettuceConnectionFactory> factory = new AtomicReference<>();
        return CamelRepository.of(
                StoreKind.REDIS,
                run -> {
                    RedisStandaloneConfiguration where = new RedisStandaloneConfiguration(
                            run.services().redis().host(),
                            run.services().redis().port());
                    // built on the benchmark's client resources, so that its commands are counted as store calls
                    LettuceClientConfiguration client = LettuceClientConfiguration.builder()
                            .clientResources(run.services().redisResources())
                            .build();
                    LettuceConnectionFactory made = new LettuceConnectionFactory(where, client);
                    factory.set(made);
                    made.afterPropertiesSet();
                    made.start();
                    SpringRedisStringIdempotentRepository repository = new SpringRedisStringIdempotentRepository(
                            new StringRedisTemplate(made), processorName(run));
                    repository.setExpiry(REDIS_EXPIRY.toSeconds());
                    return repository;
                },
                run -> {
                    LettuceConnectionFactory made = factory.getAndSet(null);
                    if (made != null) {
                        made.destroy();
                    }
                    run.services().deleteRedisKeys(processorName(run) + ":");
                });
    }

    /**
     * {@link JdbcMessageIdRepository} on PostgreSQL, on a table of its own with the unique constraint Camel's
     * default DDL lacks ({@code PRIMARY KEY (processorName, messageId)}); it runs {@code SELECT COUNT(*)}, then
     * {@code INSERT} for a new key, in one transaction per message.
     */
    static CamelRepository jdbc() {
        return CamelRepository.of(
                StoreKind.POSTGRES,
                run -> {
                    run.services()
                            .execute("CREATE TABLE " + jdbcTable(run) + " (processorName VARCHAR(255) NOT NULL,"
                                    + " messageId VARCHAR(100) NOT NULL, createdAt TIMESTAMP,"
                                    + " PRIMARY KEY (processorName, messageId))");
                    JdbcMessageIdRepository repository =
                            new JdbcMessageIdRepository(run.services().storeDataSource(), processorName(run));
                    repository.setTableName(jdbcTable(run));
                    repository.setCreateTableIfNotExists(false);
                    return repository;
                },
                run -> run.services().dropTable(jdbcTable(run)));
    }

    /** The run's own table, so its primary key index starts empty like our store's. */
    private static String jdbcTable(ArmRun run) {
        return "camel_processed_" + run.runId();
    }

    /** Camel's processor name for the run: the repositories' key prefix, unique per run so runs never share keys. */
    private static String processorName(ArmRun run) {
        return "bench-camel-" + run.runId();
    }
}
