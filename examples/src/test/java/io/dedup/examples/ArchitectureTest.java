package io.dedup.examples;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaMethodCall;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import io.dedup.spi.DedupStore;
import io.dedup.spi.StoreTransaction;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The tiers the design fixes, checked on the compiled classes of every module: stores and adapters meet only
 * through {@code io.dedup} and {@code io.dedup.spi}, and only core writes to a store (DESIGN §3, §6).
 */
class ArchitectureTest {
    private static final JavaClasses MAIN = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.dedup");

    private static final Set<String> WRITES =
            Set.of("claim", "claimAll", "complete", "completeAll", "renew", "renewAll", "release", "releaseAll");

    private static final DescribedPredicate<JavaMethodCall> A_STORE_WRITE = DescribedPredicate.describe(
            "a write method of the store SPI",
            call -> WRITES.contains(call.getName())
                    && (call.getTargetOwner().isAssignableTo(DedupStore.class)
                            || call.getTargetOwner().isAssignableTo(StoreTransaction.class)));

    @Test
    void stores_and_adapters_never_reach_into_cores_internals() {
        noClasses()
                .that()
                .resideInAnyPackage(
                        "io.dedup.kafka..",
                        "io.dedup.rabbitmq..",
                        "io.dedup.redis..",
                        "io.dedup.jdbc..",
                        "io.dedup.http..",
                        "io.dedup.spring..")
                .should()
                .dependOnClassesThat()
                .resideInAPackage("io.dedup.internal..")
                .because("modules meet only through io.dedup and io.dedup.spi")
                .check(MAIN);
    }

    @Test
    void adapters_and_integrations_never_write_to_a_store_themselves() {
        noClasses()
                .that()
                .resideInAnyPackage("io.dedup.kafka..", "io.dedup.rabbitmq..", "io.dedup.http..", "io.dedup.spring..")
                .or()
                .haveSimpleNameStartingWith("TransactionalDedup")
                .should()
                .callMethodWhere(A_STORE_WRITE)
                .because("only core writes to a store: claims go through DedupConsumer's batch API (DESIGN §6)")
                .check(MAIN);
    }
}
