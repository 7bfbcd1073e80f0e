package dev.fanout;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaMethodCall;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import io.vertx.sqlclient.SqlClient;
import org.junit.jupiter.api.Test;

/**
 * The layers of the app, written down so that they hold without anyone remembering them. Bottom to top:
 *
 * <ol>
 *   <li><b>core</b>: {@code core} (the domain's refusal, author ids) and {@code events} (the event schema);</li>
 *   <li><b>infrastructure</b>: {@code db} (PostgreSQL, transaction batching), {@code outbox} (the outbox
 *       table, its relay, the processed-events record and the groups' event attempts), {@code http} (the server, error answers and
 *       request bodies, the request's {@code Caller}), {@code auth} (author tokens: minted here or checked
 *       against a provider's keys), {@code consumer} (group members, the group pipeline, retries, circuits, dead
 *       letters), {@code tracing} (OpenTelemetry: off unless asked for, the spans Fanout makes itself);</li>
 *   <li><b>features</b>: {@code publisher}, {@code counter}, {@code search}, {@code dashboard},
 *       {@code faults}, {@code trace} (following one event through the groups), {@code subscription}
 *       (webhook subscriptions: groups added at runtime whose sink is an HTTP endpoint), which never depend on
 *       each other;</li>
 *   <li><b>audit</b>, which compares what the features keep;</li>
 *   <li><b>compose</b>: the one factory of the parts ({@code PartsFactory}) and what was opened
 *       ({@code OpenedParts}), which the app and the lab's design 3 both build with;</li>
 *   <li><b>lab</b>, which runs the features in three designs under faults and audits each;</li>
 *   <li><b>app</b>, the composition root: the only reader of the options, the only place that wires parts.</li>
 * </ol>
 *
 * A package imports only from below it, and no packages form a cycle. Only the app's main classes are
 * checked (the stream SPI holds its own rules in its module).
 */
class ArchitectureTest {

  private static final JavaClasses APP = new ClassFileImporter()
      .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
      .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_JARS)
      // the backends' class folders, which the reactor hands instead of jars before the package phase
      .withImportOption(location -> !location.contains("/backends/"))
      .importPackages("dev.fanout");

  private static final String CORE = "Core";
  private static final String INFRASTRUCTURE = "Infrastructure";
  private static final String FEATURES = "Features";
  private static final String AUDIT = "Audit";
  private static final String COMPOSE = "Compose";
  private static final String LAB = "Lab";
  private static final String APP_ROOT = "App";

  private static void check(ArchRule rule) {
    rule.check(APP);
  }

  @Test
  void eachLayerUsesOnlyTheLayersBelowIt() {
    check(layeredArchitecture().consideringOnlyDependenciesInLayers()
        .layer(CORE).definedBy("dev.fanout.core..", "dev.fanout.events..")
        .layer(INFRASTRUCTURE).definedBy("dev.fanout.db..", "dev.fanout.outbox..", "dev.fanout.http..",
            "dev.fanout.auth..", "dev.fanout.consumer..", "dev.fanout.tracing..")
        .layer(FEATURES).definedBy("dev.fanout.publisher..", "dev.fanout.counter..", "dev.fanout.search..",
            "dev.fanout.dashboard..", "dev.fanout.faults..", "dev.fanout.trace..", "dev.fanout.subscription..")
        .layer(AUDIT).definedBy("dev.fanout.audit..")
        .layer(COMPOSE).definedBy("dev.fanout.compose..")
        .layer(LAB).definedBy("dev.fanout.lab..")
        .layer(APP_ROOT).definedBy("dev.fanout.app..")
        .whereLayer(APP_ROOT).mayNotBeAccessedByAnyLayer()
        .whereLayer(LAB).mayOnlyBeAccessedByLayers(APP_ROOT)
        .whereLayer(COMPOSE).mayOnlyBeAccessedByLayers(LAB, APP_ROOT)
        .whereLayer(AUDIT).mayOnlyBeAccessedByLayers(COMPOSE, LAB, APP_ROOT)
        .whereLayer(FEATURES).mayOnlyBeAccessedByLayers(AUDIT, COMPOSE, LAB, APP_ROOT)
        .whereLayer(INFRASTRUCTURE).mayOnlyBeAccessedByLayers(FEATURES, AUDIT, COMPOSE, LAB, APP_ROOT)
        .whereLayer(CORE).mayOnlyBeAccessedByLayers(INFRASTRUCTURE, FEATURES, AUDIT, COMPOSE, LAB, APP_ROOT));
  }

  @Test
  void everyAppPackageIsInALayer() {
    check(classes().that().resideInAPackage("dev.fanout..")
        .and().resideOutsideOfPackages("dev.fanout.stream..", "dev.fanout.kafka..")
        .should().resideInAnyPackage("dev.fanout.core..", "dev.fanout.events..", "dev.fanout.db..",
            "dev.fanout.outbox..", "dev.fanout.http..", "dev.fanout.auth..", "dev.fanout.consumer..",
            "dev.fanout.tracing..", "dev.fanout.publisher..",
            "dev.fanout.counter..", "dev.fanout.search..", "dev.fanout.dashboard..", "dev.fanout.faults..",
            "dev.fanout.trace..", "dev.fanout.subscription..", "dev.fanout.audit..", "dev.fanout.compose..",
            "dev.fanout.lab..",
            "dev.fanout.app..")
        .as("every package of the app belongs to a layer of ArchitectureTest (add a new one there)"));
  }

  @Test
  void onlyTheCompositionRootKnowsHowCallersAreAuthenticated() {
    check(noClasses().that().resideOutsideOfPackages("dev.fanout.auth..", "dev.fanout.app..")
        .should().dependOnClassesThat().resideInAnyPackage("dev.fanout.auth..", "io.vertx.ext.auth..")
        .as("features learn who is calling from http.Caller; tokens, keys and vertx-auth stay in auth"));
  }

  @Test
  void nothingBelowTheCompositionRootDependsOnIt() {
    check(noClasses().that().resideOutsideOfPackage("dev.fanout.app..")
        .should().dependOnClassesThat().resideInAPackage("dev.fanout.app.."));
  }

  @Test
  void noPackagesFormACycle() {
    check(slices().matching("dev.fanout.(**)").should().beFreeOfCycles());
  }

  @Test
  void theConsumerLayerKnowsSinksNotSubscriptions() {
    check(noClasses().that().resideInAPackage("dev.fanout.consumer..")
        .should().dependOnClassesThat().resideInAPackage("dev.fanout.subscription..")
        .as("the consumer layer knows sinks, not which kind of sink a subscription is"));
  }

  @Test
  void featuresDoNotDependOnEachOther() {
    check(slices().matching("dev.fanout.(publisher|counter|search|dashboard|faults|trace|subscription)..")
        .should().notDependOnEachOther());
  }

  @Test
  void counterAndSearchDoNotDependOnEachOther() {
    check(noClasses().that().resideInAPackage("dev.fanout.counter..")
        .should().dependOnClassesThat().resideInAPackage("dev.fanout.search.."));
    check(noClasses().that().resideInAPackage("dev.fanout.search..")
        .should().dependOnClassesThat().resideInAPackage("dev.fanout.counter.."));
  }

  @Test
  void httpStaysAtTheEdge() {
    check(classes().that().resideInAPackage("dev.fanout..")
        .and().resideOutsideOfPackages("dev.fanout.http..", "dev.fanout.app..")
        .and().haveNameNotMatching(".*Routes(\\$.*)?")
        .should().onlyDependOnClassesThat().resideOutsideOfPackage("io.vertx.ext.web")
        .as("only the http package, the app and *Routes classes see HTTP requests (vertx-web)"));
    check(classes().that().resideInAPackage("dev.fanout..")
        .and().resideOutsideOfPackages("dev.fanout.http..", "dev.fanout.app..")
        .and().haveNameNotMatching(".*Routes(\\$.*)?")
        .should().onlyDependOnClassesThat().resideOutsideOfPackage("dev.fanout.http..")
        .as("outside http and the app only *Routes classes use the http package: a feature's engine (the lab's "
            + "runs, the audit, the stores) answers with Futures and Refusals, never with HTTP"));
    check(noClasses().that().resideInAnyPackage("dev.fanout.core..", "dev.fanout.events..")
        .should().dependOnClassesThat().resideInAnyPackage("io.vertx.ext..", "io.vertx.sqlclient..",
            "io.vertx.pgclient..", "org.apache.lucene..", "dev.fanout.stream..")
        .as("the core types know no transport, database, index or stream"));
  }

  @Test
  void onlyTheOwnersOfTablesRunSql() {
    DescribedPredicate<JavaMethodCall> sql = new DescribedPredicate<>("run SQL") {
      @Override
      public boolean test(JavaMethodCall call) {
        String name = call.getName();
        return call.getTargetOwner().isAssignableTo(SqlClient.class)
            && (name.equals("query") || name.equals("preparedQuery"));
      }
    };
    check(noClasses().that().resideOutsideOfPackages("dev.fanout.db..", "dev.fanout.outbox..",
            "dev.fanout.publisher..", "dev.fanout.counter..", "dev.fanout.subscription..")
        .should().callMethodWhere(sql)
        .as("only the owners of tables run SQL: db (health), outbox (outbox, processed_events, event_attempts, offset_resets), publisher "
            + "(blogs, idempotency_keys), counter (author_stats, counted_blogs), subscription (subscriptions, "
            + "subscription_deliveries)"));
  }
}
