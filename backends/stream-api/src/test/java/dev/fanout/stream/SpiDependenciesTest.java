package dev.fanout.stream;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The stream SPI stays abstract: it knows Java, Vert.x core's public API (futures, JSON) and itself, and
 * nothing of the backends (Kafka), the app's database (PostgreSQL) or Vert.x internals.
 */
class SpiDependenciesTest {

  private static final JavaClasses SPI = new ClassFileImporter()
      .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
      .importPackages("dev.fanout.stream");

  @Test
  void theSpiDependsOnlyOnJavaAndVertxCore() {
    classes().should().onlyDependOnClassesThat()
        .resideInAnyPackage("java..", "dev.fanout.stream..", "io.vertx.core..")
        .check(SPI);
  }

  @Test
  void theSpiKnowsNoKafkaNoPostgresqlAndNoVertxInternals() {
    noClasses().should().dependOnClassesThat()
        .resideInAnyPackage("org.apache.kafka..", "io.vertx.kafka..", "org.postgresql..", "io.vertx.pgclient..",
            "io.vertx.sqlclient..", "io.vertx.core.impl..", "io.vertx.core.internal..", "io.vertx.core.spi..",
            "io.netty..")
        .check(SPI);
  }
}
