package io.dedup.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TableNameTest {
    @ParameterizedTest
    @ValueSource(
            strings = {"dedup_keys", "_k", "K1", "ops.dedup_keys", "a23456789012345678901234567890123456789012345678901"
            })
    void plain_identifiers_are_accepted_and_derive_their_companions(String name) {
        TableName table = TableName.of(name);
        assertThat(table.qualified()).isEqualTo(name);
        assertThat(table.positions()).isEqualTo(name + "_positions");
        assertThat(table.expiresIndex()).doesNotContain(".").endsWith("_expires_idx");
        assertThat(table.expiresIndex().length()).isLessThanOrEqualTo(63);
        assertThat(table.purgeIndex()).doesNotContain(".").endsWith("_purge_idx");
        assertThat(table.purgeIndex().length()).isLessThanOrEqualTo(63);
        // DROP INDEX of the retired index names it in the table's schema
        assertThat(table.fill("${retired_index}")).isEqualTo(table.schemaPrefix() + table.expiresIndex());
        assertThat(table.schemaPrefix()).isEqualTo(name.contains(".") ? name.substring(0, name.indexOf('.') + 1) : "");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "1keys",
                "keys; DROP TABLE users",
                "keys--",
                "\"keys\"",
                "`keys`",
                "a.b.c",
                ".keys",
                "keys.",
                "ke ys",
                "kéys",
                "a234567890123456789012345678901234567890123456789012"
            })
    void anything_else_is_refused_before_it_reaches_sql(String name) {
        assertThatThrownBy(() -> TableName.of(name))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("plain SQL identifier");
    }

    @ParameterizedTest
    @ValueSource(strings = {"x; DROP TABLE t", "ok"})
    void the_builder_checks_the_table_when_it_is_set(String name) {
        JdbcDedupStore.Builder builder = JdbcDedupStore.builder(new DriverManagerDataSource("jdbc:none:", null, null));
        if (name.equals("ok")) {
            builder.table(name);
        } else {
            assertThatThrownBy(() -> builder.table(name)).isInstanceOf(IllegalArgumentException.class);
        }
    }
}
