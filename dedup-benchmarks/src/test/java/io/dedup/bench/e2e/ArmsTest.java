package io.dedup.bench.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.Color;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The arms the harness knows: names, order, and what each declares. */
class ArmsTest {
    @Test
    void the_transactional_jdbc_arm_follows_dedup_jdbc_and_is_selectable_on_its_own() {
        assertThat(Arms.all())
                .extracting(Arm::name)
                .doesNotHaveDuplicates()
                .containsSubsequence("dedup-jdbc", "dedup-jdbc-tx", "camel-memory");
        int jdbc = Arms.all().stream().map(Arm::name).toList().indexOf("dedup-jdbc");
        assertThat(Arms.all().get(jdbc + 1).name()).isEqualTo("dedup-jdbc-tx");

        assertThat(Arms.select(Set.of("dedup-jdbc-tx"))).singleElement().satisfies(arm -> {
            assertThat(arm.name()).isEqualTo("dedup-jdbc-tx");
            // counted on the PostgreSQL store's connections, read from Kafka, batched per poll: the full-size topic
            assertThat(arm.store()).isEqualTo(StoreKind.POSTGRES);
            assertThat(arm.broker()).isEqualTo(NamedArm.KAFKA);
            assertThat(arm.slow()).isFalse();
        });
        assertThat(Arms.select(Set.of("dedup-jdbc", "dedup-jdbc-tx")))
                .extracting(Arm::name)
                .containsExactly("dedup-jdbc", "dedup-jdbc-tx");
    }

    @Test
    void every_arm_has_a_colour_of_its_own_in_the_chart() {
        Color fallback = ResultFiles.colorOf("no-such-arm");
        assertThat(Arms.all())
                .extracting(arm -> ResultFiles.colorOf(arm.name()))
                .doesNotContain(fallback)
                .doesNotHaveDuplicates();
    }
}
