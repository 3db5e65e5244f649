package io.dedup.bench.e2e;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The arms the harness compares, in their default order. To add an arm, implement {@link Arm} and list it here.
 *
 * <p>The order puts each reference before the arms measured against it (the baselines, then the Kafka dedup arms
 * with each ceiling next to its dedup arm, then Camel, then RabbitMQ), so the results table reads top to
 * bottom; the harness rotates the order between repetitions anyway. Stateless; thread-safe.
 */
final class Arms {
    private Arms() {}

    /** Every arm. */
    static List<Arm> all() {
        return List.of(
                new BaselineArm(),
                DedupArm.memory(),
                new MemoryCeilingArm(),
                DedupArm.redis(),
                DedupArm.redisSingle(),
                new RedisCeilingArm(),
                DedupArm.jdbc(),
                DedupArm.jdbcTransactional(),
                CamelArm.memory(),
                CamelArm.redis(),
                CamelArm.jdbc(),
                new RabbitBaselineArm(),
                RabbitDedupArm.memory(),
                RabbitDedupArm.redis());
    }

    /**
     * The arms named in {@code names} (all when empty), in default order.
     *
     * @throws IllegalArgumentException if a name matches no arm
     */
    static List<Arm> select(Set<String> names) {
        List<Arm> all = all();
        Set<String> known = all.stream().map(Arm::name).collect(Collectors.toSet());
        for (String name : names) {
            if (!known.contains(name)) {
                throw new IllegalArgumentException("unknown arm " + name + "; known: " + known);
            }
        }
        return all.stream()
                .filter(arm -> names.isEmpty() || names.contains(arm.name()))
                .toList();
    }
}
