package dev.fanout.core;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RedactionTest {

  @Test
  void credentialsLeaveUrlsAndTheRestStays() {
    assertThat(Redaction.of("OpenSearch at http://fanout:s3cr@t@127.0.0.1:9200/blogs answered 503"))
        .isEqualTo("OpenSearch at http://127.0.0.1:9200/blogs answered 503");
    assertThat(Redaction.of("postgresql://app:pw@db:5432/fanout?sslmode=require&password=pw2 failed"))
        .isEqualTo("postgresql://db:5432/fanout?sslmode=require&password=*** failed");
    assertThat(Redaction.of("https://user@host/x and mail to ada@example.org")).isEqualTo("https://host/x and mail to ada@example.org");
    assertThat(Redaction.of("http://127.0.0.1:9200 is fine")).isEqualTo("http://127.0.0.1:9200 is fine");
    assertThat(Redaction.of(null)).isNull();
  }
}
