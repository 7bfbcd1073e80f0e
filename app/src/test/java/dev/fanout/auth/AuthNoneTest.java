package dev.fanout.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.app.RunningApp;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code --auth none}, for a gateway that authenticates in front of Fanout: writes need no token. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AuthNoneTest {

  @RegisterExtension
  final RunningApp app = RunningApp.perClass("--partitions", "2", "--auth", "none");

  @Test
  void writesNeedNoTokenAndTheBodyNamesTheAuthor() throws Exception {
    HttpResponse<String> created = app.send("POST", "/api/blogs", "application/json",
        new JsonObject().put("authorId", "gateway-user").put("title", "t").put("body", "b").encode());
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    String blogId = app.json(created).getString("blogId");

    HttpResponse<String> noAuthor = app.send("POST", "/api/blogs", "application/json",
        new JsonObject().put("title", "t").put("body", "b").encode());
    assertThat(noAuthor.statusCode()).isEqualTo(400);
    assertThat(app.json(noAuthor).getString("field")).isEqualTo("authorId");

    HttpResponse<String> otherAuthor = app.send("PUT", "/api/blogs/" + blogId, "application/json",
        new JsonObject().put("authorId", "someone-else").put("title", "t2").put("body", "b").encode());
    assertThat(otherAuthor.statusCode()).isEqualTo(403);
    assertThat(app.json(otherAuthor).getString("error")).isEqualTo("not_owner");

    assertThat(app.send("DELETE", "/api/blogs/" + blogId, null, null).statusCode()).isEqualTo(200);
  }

  @Test
  void thereIsNothingToMintAndInfoSaysSo() throws Exception {
    HttpResponse<String> minted = app.admin("POST", "/api/admin/authors/ada/tokens", null);
    assertThat(minted.statusCode()).isEqualTo(409);
    assertThat(app.json(minted).getString("error")).isEqualTo("tokens_not_minted_here");
    assertThat(app.json(app.get("/api/info")).getJsonObject("auth").getString("mode")).isEqualTo("none");
  }
}
