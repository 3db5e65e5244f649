package io.dedup.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SmallPartsTest {
    @Test
    void urls_lose_their_parameters_and_user_info_before_they_are_shown() {
        assertThat(JdbcUrls.redact("jdbc:postgresql://db:5432/app?user=u&password=secret"))
                .isEqualTo("jdbc:postgresql://db:5432/app?...")
                .doesNotContain("secret");
        assertThat(JdbcUrls.redact("jdbc:mysql://u:secret@db:3306/app")).isEqualTo("jdbc:mysql://***@db:3306/app");
        assertThat(JdbcUrls.redact("jdbc:sqlserver://db;password=secret")).doesNotContain("secret");
        assertThat(new DriverManagerDataSource("jdbc:postgresql://db/app?password=secret", "u", "secret").toString())
                .doesNotContain("secret");
    }

    @Test
    void durations_become_whole_microseconds_rounded_up_and_clamped() {
        assertThat(Micros.of(Duration.ofNanos(1))).isEqualTo(1);
        assertThat(Micros.of(Duration.ofMillis(1500))).isEqualTo(1_500_000);
        assertThat(Micros.of(Duration.ofDays(365L * 5000))).isEqualTo(Micros.MAX);
        assertThat(Micros.seconds(Duration.ofMillis(1))).isEqualTo(1);
        assertThat(Micros.seconds(Duration.ofMillis(1001))).isEqualTo(2);
        assertThat(Micros.seconds(Duration.ofSeconds(10))).isEqualTo(10);
    }

    @Test
    void dialects_are_named_by_product_or_url() {
        assertThat(JdbcDialect.fromProductName("PostgreSQL")).isEqualTo(JdbcDialect.POSTGRESQL);
        assertThat(JdbcDialect.fromProductName("MariaDB")).isEqualTo(JdbcDialect.MARIADB);
        assertThat(JdbcDialect.fromProductName("MySQL")).isEqualTo(JdbcDialect.MARIADB);
        assertThatThrownBy(() -> JdbcDialect.fromProductName("Oracle")).isInstanceOf(IllegalArgumentException.class);
        assertThat(JdbcDialect.fromJdbcUrl("jdbc:postgresql://h/db")).contains(JdbcDialect.POSTGRESQL);
        assertThat(JdbcDialect.fromJdbcUrl("jdbc:mysql://h/db")).contains(JdbcDialect.MARIADB);
        assertThat(JdbcDialect.fromJdbcUrl("jdbc:h2:mem:x")).isEqualTo(Optional.empty());
    }

    @Test
    void schema_scripts_split_into_statements_without_comments() {
        for (JdbcDialect dialect : JdbcDialect.values()) {
            List<String> statements = SchemaInstaller.statements(JdbcDedupStore.schema(dialect, "t"));
            assertThat(statements)
                    .allSatisfy(s -> assertThat(s).doesNotContain("--").doesNotEndWith(";"));
            assertThat(statements.stream().filter(s -> s.startsWith("CREATE TABLE")))
                    .hasSize(2);
        }
    }

    @Test
    void builders_check_their_arguments_by_name() {
        JdbcDedupStore.Builder builder = JdbcDedupStore.builder(new DriverManagerDataSource("jdbc:none:", null, null));
        assertThatThrownBy(() -> builder.lockTimeout(Duration.ZERO)).hasMessageContaining("lockTimeout");
        assertThatThrownBy(() -> builder.purgeEvery(Duration.ofSeconds(1), 0)).hasMessageContaining("batchSize");
        assertThatThrownBy(() -> builder.dialect(null)).hasMessageContaining("dialect");
        assertThatThrownBy(() -> JdbcDedupStore.builder(null)).hasMessageContaining("dataSource");
    }
}
