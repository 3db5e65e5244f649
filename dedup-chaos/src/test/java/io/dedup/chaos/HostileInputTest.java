package io.dedup.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.GetResponse;
import io.dedup.DedupKey;
import io.dedup.chaos.ChaosRun.Mode;
import io.dedup.rabbitmq.DedupHeaders;
import io.dedup.redis.RedisDedupStore;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Hostile input, then ordinary traffic: every message ends processed or on the dead-letter queue with a clear
 * reason, none is lost, and the consumer neither crashes nor stalls (it processes the ordinary keys that follow).
 * Keys are read from the {@code idempotency-key} header, else the message-id, else the JSON field {@code /id};
 * fingerprinting is on.
 */
class HostileInputTest {
    private static final String CASE = "chaos-case";

    @Test
    void leased_mode_on_redis_dead_letters_or_processes_every_hostile_message() throws Exception {
        hostile("redis");
    }

    @Test
    void leased_mode_on_postgres_dead_letters_or_processes_every_hostile_message() throws Exception {
        hostile("postgres");
    }

    static void hostile(String store) throws Exception {
        try (ChaosRun run = ChaosRun.start(
                "hostile-input",
                Mode.LEASED,
                store,
                1,
                Map.of("keys", "header,message-id,json:/id", "fingerprint", "true"))) {
            Map<String, String> expectedDeadLetters = new LinkedHashMap<>();
            List<String> processedKeys = new ArrayList<>();
            List<Workload.Message> hostile = new ArrayList<>();

            hostile.add(message("missing-key", null, Map.of(), "{\"other\":1}"));
            expectedDeadLetters.put("missing-key", "KEY_MISSING");
            hostile.add(message("empty-key", null, Map.of("idempotency-key", ""), "{\"id\":\"\"}"));
            expectedDeadLetters.put("empty-key", "KEY_MISSING");
            hostile.add(message("json-null-key", null, Map.of(), "{\"id\":null}"));
            expectedDeadLetters.put("json-null-key", "KEY_MISSING");
            hostile.add(message("malformed-json", null, Map.of(), "{\"id\": \"abc"));
            expectedDeadLetters.put("malformed-json", "KEY_UNREADABLE");
            hostile.add(message("json-object-key", null, Map.of(), "{\"id\":{\"nested\":1}}"));
            expectedDeadLetters.put("json-object-key", "KEY_UNREADABLE");
            hostile.add(message("table-header-key", null, Map.of("idempotency-key", Map.of("a", 1)), "{}"));
            expectedDeadLetters.put("table-header-key", "KEY_UNREADABLE");

            String huge = "h".repeat(1024 * 1024);
            hostile.add(message("one-mib-key", null, Map.of(), "{\"id\":\"" + huge + "\"}"));
            processedKeys.add(huge);
            byte[] invalidUtf8 = {(byte) 0xC3, 0x28, (byte) 0xFF, 0x00, (byte) 0x80, 0x41};
            hostile.add(message("invalid-utf8-key", null, Map.of("idempotency-key", invalidUtf8), "{}"));

            String unicode = "ключ-✓-\uD83D\uDE00";
            hostile.add(message(
                    "unicode-bytes-key",
                    null,
                    Map.of("idempotency-key", unicode.getBytes(StandardCharsets.UTF_8)),
                    "{}"));
            processedKeys.add(unicode);
            String nul = "nul\u0000key";
            hostile.add(message("nul-char-key", nul, Map.of(), "{}"));
            if (store.equals("redis")) {
                processedKeys.add(nul);
            } else {
                expectedDeadLetters.put("nul-char-key", "STORE_RECORD_CORRUPT"); // PostgreSQL text holds no U+0000
            }
            hostile.add(message("corrupt-record", "corrupt-1", Map.of(), "{}"));
            expectedDeadLetters.put("corrupt-record", "STORE_RECORD_CORRUPT");
            if (store.equals("redis")) {
                hostile.add(message("wrong-type-record", "corrupt-2", Map.of(), "{}"));
                expectedDeadLetters.put("wrong-type-record", "STORE_RECORD_CORRUPT");
            }
            hostile.add(message("first-use", "reused-1", Map.of(), "{\"amount\":1}"));
            processedKeys.add("reused-1");
            plantCorruptRecords(run, store);

            run.expectKeys(processedKeys);
            run.expectBinaryKey("invalid-utf8-key", invalidUtf8); // stored in the binary key space, never as text
            run.publish(hostile);
            ChildConsumer consumer = run.startConsumer();
            run.awaitProgress(processedKeys.size() + 1, run.profile.drainTimeout());

            // The completed key reused: same body is a duplicate, another body a conflict.
            run.publish(List.of(
                    message("reuse-same-body", "reused-1", Map.of(), "{\"amount\":1}"),
                    message("reuse-other-body", "reused-1", Map.of(), "{\"amount\":2}")));
            expectedDeadLetters.put("reuse-other-body", "KEY_CONFLICT");
            // Then ordinary traffic: the consumer must still be working.
            run.publish(run.profile.keys() / 2);
            run.awaitProgress(run.keys().size(), run.profile.drainTimeout());
            assertThat(consumer.alive())
                    .as("the consumer survived the hostile input")
                    .isTrue();

            ChaosRun.Result result = run.finish();
            Map<String, String> deadLetters = new HashMap<>();
            for (GetResponse letter : run.queues.takeDeadLetters()) {
                Map<String, Object> headers = letter.getProps().getHeaders();
                deadLetters.put(String.valueOf(headers.get(CASE)), String.valueOf(headers.get(DedupHeaders.REASON)));
                System.out.printf(
                        "CHAOS %s: dead letter %s reason=%s message=%s%n",
                        run.scenario,
                        headers.get(CASE),
                        headers.get(DedupHeaders.REASON),
                        headers.get(DedupHeaders.ERROR_MESSAGE));
            }
            assertThat(deadLetters).isEqualTo(expectedDeadLetters);
            assertThat(result.row().lost()).as("lost").isZero();
            assertThat(result.row().duplicateEffects()).as("duplicate effects").isZero();
            assertThat(result.row().stuckInProgress()).as("stuck").isZero();
            assertThat(result.waitingAfterStop()).as("left unacked").isZero();
        }
    }

    private static Workload.Message message(String name, String messageId, Map<String, Object> headers, String body) {
        Map<String, Object> all = new HashMap<>(headers);
        all.put(CASE, name);
        return new Workload.Message(0, messageId, all, body.getBytes(StandardCharsets.UTF_8));
    }

    /** A record the store cannot read, planted where the keys corrupt-1 (and corrupt-2) will be looked up. */
    private static void plantCorruptRecords(ChaosRun run, String store) throws Exception {
        if (store.equals("redis")) {
            RedisDedupStore redis = (RedisDedupStore) run.inspector();
            String garbageHash = redis.redisKey(DedupKey.of(run.namespace, "corrupt-1"));
            String wrongType = redis.redisKey(DedupKey.of(run.namespace, "corrupt-2"));
            redisCli(run, "HSET", garbageHash, "state", "BANANA", "token", "not-a-number");
            redisCli(run, "EXPIRE", garbageHash, "600");
            redisCli(run, "SET", wrongType, "just a string", "EX", "600");
        } else {
            try (Connection connection = run.ledger.connect();
                    PreparedStatement insert = connection.prepareStatement("INSERT INTO " + run.setting("storeTable")
                            + " (namespace, idem_key, state, token, attempts, expires_at, created_at, updated_at)"
                            + " VALUES (?, ?, 'BANANA', 1, 1, now() + interval '1 hour', now(), now())")) {
                insert.setString(1, run.namespace);
                insert.setString(2, "corrupt-1");
                insert.executeUpdate();
            }
        }
    }

    private static void redisCli(ChaosRun run, String... command) throws Exception {
        List<String> line = new ArrayList<>(List.of("redis-cli", "-p", String.valueOf(run.redis.port())));
        line.addAll(List.of(command));
        Process process = new ProcessBuilder(line).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(output).doesNotContain("ERR");
    }
}
