package dev.fanout.tracing;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;
import io.vertx.core.spi.VertxTracerFactory;
import io.vertx.tracing.opentelemetry.OpenTelemetryTracingFactory;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import java.util.logging.StreamHandler;

/**
 * Fanout's OpenTelemetry tracing: off unless asked for, then the SDK as its standard variables and properties
 * configure it ({@code OTEL_SERVICE_NAME}, {@code OTEL_TRACES_EXPORTER}, {@code OTEL_EXPORTER_OTLP_ENDPOINT},
 * {@code OTEL_TRACES_SAMPLER}, ...).
 *
 * <p>Tracing starts when {@code OTEL_TRACES_EXPORTER} ({@code otel.traces.exporter}) names an exporter other
 * than {@code none}, or when {@code OTEL_SDK_DISABLED} ({@code otel.sdk.disabled}) is {@code false}; without
 * either no SDK is started, nothing is exported, and every span Fanout would make is a no-op. That departs
 * from the SDK's own default (on, exporting to a local OTLP endpoint), on purpose: an app started to try it
 * should not send anything anywhere. Metrics and logs exporters default to {@code none}: Fanout's metrics
 * stay on {@code /metrics}. Fanout names itself {@code fanout} unless {@code OTEL_SERVICE_NAME} says
 * otherwise. OTLP goes over HTTP ({@code http/protobuf}, port 4318), not the SDK's default gRPC: the jar
 * carries the JDK-based sender only.
 *
 * <p>One instance per Vert.x instance: {@link #vertxTracer()} is given to Vert.x when it is created (by the
 * app's factory, {@code compose.PartsFactory.vertx}), and {@link #close()} flushes what is left when the app
 * stops.
 */
public final class Tracing implements AutoCloseable {

  /** The stream header, and outbox column, that carry a publish's W3C trace context. */
  public static final String TRACEPARENT = "traceparent";
  /** The name Fanout's own spans are made under (its instrumentation scope). */
  public static final String SCOPE = "dev.fanout";

  private static final Tracing OFF = new Tracing(null);
  private static final TextMapGetter<Map<String, String>> MAP_GETTER = new TextMapGetter<>() {
    @Override
    public Iterable<String> keys(Map<String, String> carrier) {
      return carrier.keySet();
    }

    @Override
    public String get(Map<String, String> carrier, String key) {
      return carrier == null ? null : carrier.get(key);
    }
  };
  // java.util.logging holds loggers weakly: the console exporter's own handler lives as long as this class
  private static final Logger CONSOLE_EXPORTER =
      Logger.getLogger("io.opentelemetry.exporter.logging.LoggingSpanExporter");

  private final OpenTelemetrySdk sdk;
  private final OpenTelemetry openTelemetry;
  private final Tracer tracer;

  private Tracing(OpenTelemetrySdk sdk) {
    this.sdk = sdk;
    this.openTelemetry = sdk == null ? OpenTelemetry.noop() : sdk;
    this.tracer = openTelemetry.getTracer(SCOPE);
  }

  /** Tracing off: no SDK, no tracer in Vert.x, every span a no-op. */
  public static Tracing off() {
    return OFF;
  }

  /**
   * Tracing as the process's environment and system properties ask for it.
   */
  public static Tracing fromEnvironment() {
    Map<String, String> properties = new HashMap<>();
    System.getProperties().forEach((k, v) -> properties.put(String.valueOf(k), String.valueOf(v)));
    return from(System.getenv(), properties);
  }

  /**
   * Tracing as {@code env} (variables such as {@code OTEL_TRACES_EXPORTER}) and {@code properties} (such as
   * {@code otel.traces.exporter}, which win) ask for it. The process's own environment and system properties
   * are read by the SDK as well, and win over both.
   */
  public static Tracing from(Map<String, String> env, Map<String, String> properties) {
    Map<String, String> config = new HashMap<>();
    env.forEach((k, v) -> {
      if (k.startsWith("OTEL_")) {
        config.put(k.toLowerCase(Locale.ROOT).replace('_', '.'), v);
      }
    });
    properties.forEach((k, v) -> {
      if (k.startsWith("otel.")) {
        config.put(k, v);
      }
    });
    String exporter = config.getOrDefault("otel.traces.exporter", "").trim();
    boolean asked = (!exporter.isEmpty() && !exporter.equalsIgnoreCase("none"))
        || "false".equalsIgnoreCase(config.getOrDefault("otel.sdk.disabled", "").trim());
    if (!asked) {
      return OFF;
    }
    Map<String, String> defaults = new HashMap<>();
    defaults.put("otel.sdk.disabled", "false");
    defaults.put("otel.service.name", "fanout");
    defaults.put("otel.metrics.exporter", "none");
    defaults.put("otel.logs.exporter", "none");
    // OTLP over HTTP (port 4318), sent by the JDK's own client; the SDK's gRPC default needs a sender the jar
    // does not carry
    defaults.put("otel.exporter.otlp.protocol", "http/protobuf");
    if (List.of(exporter.toLowerCase(Locale.ROOT).split("\\s*,\\s*")).contains("console")) {
      printSpansOnTheConsole();
    }
    OpenTelemetrySdk sdk = AutoConfiguredOpenTelemetrySdk.builder()
        .addPropertiesSupplier(() -> defaults)
        .addPropertiesSupplier(() -> config)
        .build()
        .getOpenTelemetrySdk();
    return new Tracing(sdk);
  }

  // The console exporter logs each span through java.util.logging, which the app routes to its own log at
  // its own level: give it a console of its own, whatever that routing does.
  private static synchronized void printSpansOnTheConsole() {
    if (CONSOLE_EXPORTER.getUseParentHandlers()) {
      Handler console = new StreamHandler(System.out, new SimpleFormatter()) {
        @Override
        public synchronized void publish(java.util.logging.LogRecord record) {
          super.publish(record);
          flush();
        }
      };
      console.setLevel(Level.INFO);
      CONSOLE_EXPORTER.addHandler(console);
      CONSOLE_EXPORTER.setLevel(Level.INFO);
      CONSOLE_EXPORTER.setUseParentHandlers(false);
    }
  }

  /** Whether tracing is on. */
  public boolean on() {
    return sdk != null;
  }

  /** The OpenTelemetry Fanout's spans are made with: a no-op one when tracing is off. */
  public OpenTelemetry openTelemetry() {
    return openTelemetry;
  }

  /** Fanout's own tracer (a no-op one when tracing is off). */
  public Tracer tracer() {
    return tracer;
  }

  /**
   * What Vert.x traces with, given to it when it is created ({@code VertxBuilder.withTracer}): the API's HTTP
   * requests ({@link ServerSpansOnly}) and nothing else on its own; null when tracing is off (no tracer).
   */
  public VertxTracerFactory vertxTracer() {
    if (sdk == null) {
      return null;
    }
    OpenTelemetryTracingFactory factory = new OpenTelemetryTracingFactory(sdk);
    return options -> new ServerSpansOnly(factory.tracer(options));
  }

  /** The W3C {@code traceparent} of the span current on this thread or Vert.x context, or null without one. */
  public String currentTraceparent() {
    return traceparent(Span.current().getSpanContext());
  }

  /** The W3C {@code traceparent} of {@code context}, or null when it is not valid (tracing off, no span). */
  public static String traceparent(SpanContext context) {
    if (!context.isValid()) {
      return null;
    }
    return "00-" + context.getTraceId() + "-" + context.getSpanId() + "-" + context.getTraceFlags().asHex();
  }

  /**
   * The span context a W3C {@code traceparent} names (as {@link #traceparent(SpanContext)} writes it into the
   * outbox and the stream), read by W3C's own rules whatever propagators the SDK is configured with; an
   * invalid one for null or junk. Works with tracing off too.
   */
  public static SpanContext contextOf(String traceparent) {
    if (traceparent == null) {
      return SpanContext.getInvalid();
    }
    return Span.fromContext(W3CTraceContextPropagator.getInstance()
        .extract(Context.root(), Map.of(TRACEPARENT, traceparent), MAP_GETTER)).getSpanContext();
  }

  /** The context a {@code traceparent} carries, as a parent for spans; the root context for null or junk. */
  public Context parentFrom(String traceparent) {
    if (traceparent == null || sdk == null) {
      return Context.root();
    }
    SpanContext parent = contextOf(traceparent);
    return parent.isValid() ? Context.root().with(Span.wrap(parent)) : Context.root();
  }

  /** Exports what is left and stops the SDK; nothing when tracing is off. */
  @Override
  public void close() {
    if (sdk != null) {
      sdk.shutdown().join(10, TimeUnit.SECONDS);
    }
  }
}
