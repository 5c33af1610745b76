package dev.sigil.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** A minimal CSC client for the end-to-end tests: login, then JSON posts with the bearer token. */
final class TestCsc {
    static final ObjectMapper JSON = new ObjectMapper();

    final HttpClient client;
    final String base;

    /** @param data the server's data directory, whose development CA is trusted */
    TestCsc(String base, Path data) throws Exception {
        this.base = base;
        this.client = HttpClient.newBuilder().sslContext(Distribution.trusting(data)).build();
    }

    String login(String user, String password) throws Exception {
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(base + "csc/v2/auth/login"))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString((user + ":" + password)
                        .getBytes(StandardCharsets.UTF_8)))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), "login " + user + ": " + r.body());
        return JSON.readTree(r.body()).path("access_token").asText();
    }

    HttpResponse<String> send(String path, String token, Object body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Posts and expects 200. */
    JsonNode post(String path, String token, Object body) throws Exception {
        HttpResponse<String> r = send(path, token, body);
        assertEquals(200, r.statusCode(), path + ": " + r.body());
        return JSON.readTree(r.body());
    }
}
