package io.dedup.examples;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.codeUnits;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaCodeUnit;
import com.tngtech.archunit.core.domain.JavaMethodCall;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import io.dedup.spi.DedupStore;
import io.dedup.spi.StoreTransaction;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The tiers the design fixes, checked on the compiled classes of every module (the Spring integration's too, on
 * this module's test class path without Spring itself): stores and adapters meet only through {@code io.dedup} and
 * {@code io.dedup.spi}; only core writes to a store (DESIGN §3, §6); an API package may construct its machinery
 * but never exposes it in a public signature.
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

    /** The rules below see what they are meant to see: without a module's classes they would pass vacuously. */
    @Test
    void every_module_is_among_the_checked_classes() {
        for (String module : List.of(
                "io.dedup.internal",
                "io.dedup.spi",
                "io.dedup.kafka",
                "io.dedup.rabbitmq",
                "io.dedup.redis",
                "io.dedup.jdbc",
                "io.dedup.http",
                "io.dedup.spring.autoconfigure",
                "io.dedup.spring.kafka",
                "io.dedup.spring.rabbit")) {
            assertThat(MAIN.containPackage(module)).as(module).isTrue();
        }
    }

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
    void an_adapters_internals_are_used_by_that_adapter_only() {
        for (String adapter : List.of("io.dedup.kafka", "io.dedup.rabbitmq", "io.dedup.http", "io.dedup.spring")) {
            noClasses()
                    .that()
                    .resideOutsideOfPackage(adapter + "..")
                    .should()
                    .dependOnClassesThat()
                    .resideInAPackage(adapter + ".internal..")
                    .because("other modules, benchmarks and examples use an adapter through its API package")
                    .check(MAIN);
        }
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

    @Test
    void api_signatures_never_expose_internal_types() {
        codeUnits()
                .that()
                .areDeclaredInClassesThat(PUBLIC_API_TYPE)
                .and()
                .arePublic()
                .should(notMention("an internal type"))
                .because("an API package may construct its machinery but never hands it to a user (DESIGN §3)")
                .check(MAIN);
    }

    @Test
    void api_types_never_extend_internal_ones() {
        classes()
                .that(PUBLIC_API_TYPE)
                .should(new ArchCondition<JavaClass>("not extend or implement an internal type") {
                    @Override
                    public void check(JavaClass type, ConditionEvents events) {
                        List<JavaClass> supers = new ArrayList<>();
                        type.getRawSuperclass().ifPresent(supers::add);
                        supers.addAll(type.getRawInterfaces());
                        for (JavaClass parent : supers) {
                            if (internal(parent)) {
                                events.add(SimpleConditionEvent.violated(
                                        type, type.getName() + " extends internal " + parent.getName()));
                            }
                        }
                    }
                })
                .check(MAIN);
    }

    /** A public type of an API package: what a user of the library sees. */
    private static final DescribedPredicate<JavaClass> PUBLIC_API_TYPE = DescribedPredicate.describe(
            "public types of API packages",
            type -> type.getModifiers().contains(JavaModifier.PUBLIC)
                    && !internal(type)
                    && !type.getPackageName().startsWith("io.dedup.bench")
                    && !type.getPackageName().startsWith("io.dedup.chaos")
                    && !type.getPackageName().startsWith("io.dedup.examples")
                    && !type.getPackageName().startsWith("io.dedup.testkit"));

    private static boolean internal(JavaClass type) {
        return type.getPackageName().startsWith("io.dedup.")
                && type.getPackageName().contains(".internal");
    }

    private static ArchCondition<JavaCodeUnit> notMention(String what) {
        return new ArchCondition<>("not take or return " + what) {
            @Override
            public void check(JavaCodeUnit unit, ConditionEvents events) {
                List<JavaClass> types = new ArrayList<>(unit.getRawParameterTypes());
                types.add(unit.getRawReturnType());
                for (JavaClass type : types) {
                    if (internal(type.getBaseComponentType())) {
                        events.add(
                                SimpleConditionEvent.violated(unit, unit.getFullName() + " exposes " + type.getName()));
                    }
                }
            }
        };
    }
}
