package dev.fanout.stream.kafka;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The member's state decides and knows no I/O, as Kafka's {@code SubscriptionState} does; and the backend
 * uses only Vert.x's public API.
 */
class KafkaBackendLayersTest {

  private static final JavaClasses BACKEND = new ClassFileImporter()
      .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
      .importPackages("dev.fanout.stream.kafka");

  @Test
  void theMemberStateKnowsNeitherVertxNorTheKafkaClient() {
    noClasses().that().haveNameMatching(".*\\.(MemberState|PartitionFeed)(\\$.*)?")
        .should().dependOnClassesThat().resideInAnyPackage("io.vertx..", "org.apache.kafka..")
        .check(BACKEND);
  }

  @Test
  void theBackendUsesNoVertxInternals() {
    noClasses().should().dependOnClassesThat()
        .resideInAnyPackage("io.vertx.core.internal..", "io.vertx.core.impl..")
        .check(BACKEND);
  }
}
