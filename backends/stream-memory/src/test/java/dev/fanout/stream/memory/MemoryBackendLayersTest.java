package dev.fanout.stream.memory;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The logs, topics, groups and assignment are plain state, tested synchronously; only the stream, its admin
 * and its members know Vert.x, and only its public API.
 */
class MemoryBackendLayersTest {

  private static final JavaClasses BACKEND = new ClassFileImporter()
      .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
      .importPackages("dev.fanout.stream.memory");

  @Test
  void thePlainStateClassesKnowNoVertx() {
    noClasses()
        .that().haveNameMatching(".*\\.(ConsumerGroup|GroupAssignor|MemoryStore|MemoryTopic|PartitionLog|RecordCodec)(\\$.*)?")
        .should().dependOnClassesThat().resideInAnyPackage("io.vertx..")
        .check(BACKEND);
  }

  @Test
  void theBackendUsesNoVertxInternals() {
    noClasses().should().dependOnClassesThat()
        .resideInAnyPackage("io.vertx.core.internal..", "io.vertx.core.impl..")
        .check(BACKEND);
  }
}
