package dev.weft.bench.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.weft.testing.RequestSigner;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Requests/s and latency on one service (auth-service) for each way in: no credential (the
 * baseline: JAX-RS, filters and the error mapper), an access token, an API key (cached
 * introspection) and a signed request; plus token issuance. The authenticated calls use
 * credentials without the scope the endpoint needs, so each ends in a 403 right after
 * authentication: the difference to the baseline is the cost of authenticating, with no
 * database work mixed in. Run against `bin/weft up` started with generous rate limits:
 * <pre>
 * WEFT_PLATFORM_RATE_LIMIT_PLANS_ENTERPRISE_PER_MINUTE=100000000 WEFT_PLATFORM_RATE_LIMIT_PLANS_ENTERPRISE_BURST=100000000 bin/weft up
 * set -a; source .weft/env; set +a; ./mvnw -Pbench -pl bench/auth -am verify
 * </pre>
 */
class AuthBenchmark {
    private static final int CONCURRENCY = Integer.getInteger("bench.concurrency", 16);
    private static final Duration WARMUP = Duration.ofSeconds(Integer.getInteger("bench.warmup", 3));
    private static final Duration MEASURE = Duration.ofSeconds(Integer.getInteger("bench.seconds", 10));
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .executor(Executors.newVirtualThreadPerTaskExecutor()).build();
    private String authUrl;

    record Result(String name, double perSecond, double p50Millis, double p99Millis) {
    }

    @Test
    void authentication_throughput() throws Exception {
        authUrl = require("WEFT_AUTH_URL");
        String clientId = require("WEFT_CLIENT_ID");
        String clientSecret = require("WEFT_CLIENT_SECRET");
        String basic = "Basic " + Base64.getEncoder().encodeToString((clientId + ":" + clientSecret).getBytes(StandardCharsets.UTF_8));
        String admin = token(basic);

        // Credentials that authenticate but lack clients:read, so GET /v1/clients stops at the scope check.
        JsonNode narrowClient = post("/v1/clients", admin, "{\"name\":\"bench\",\"scopes\":[\"api_keys:read\"]}");
        String narrowBasic = "Basic " + Base64.getEncoder().encodeToString(
                (narrowClient.get("client_id").asText() + ":" + narrowClient.get("client_secret").asText()).getBytes(StandardCharsets.UTF_8));
        String narrowToken = token(narrowBasic);
        String apiKey = post("/v1/api-keys", admin, "{\"name\":\"bench\",\"scopes\":[\"api_keys:read\"]}").get("key").asText();
        JsonNode signingKey = post("/v1/signing-keys", admin, "{\"name\":\"bench\",\"scopes\":[\"api_keys:read\"]}");
        String keyId = signingKey.get("key_id").asText();
        String secret = signingKey.get("secret").asText();

        String path = "/v1/clients?limit=1";
        List<Result> results = new ArrayList<>();
        results.add(run("no credential (401, baseline)", 401, () -> get(path).build()));
        results.add(run("access token (JWT, RS256)", 403, () -> get(path).header("Authorization", "Bearer " + narrowToken).build()));
        results.add(run("API key (cached introspection)", 403, () -> get(path).header("Authorization", "Bearer " + apiKey).build()));
        // A signature may be used once, so each signed request differs (a request counter in the query).
        AtomicLong nonce = new AtomicLong();
        results.add(run("signed request (WEFT-HMAC, replay check)", 403, () -> {
            String unique = path + "&n=" + nonce.incrementAndGet();
            return get(unique).header("Authorization", RequestSigner.authorization(keyId, secret, Instant.now().getEpochSecond(), "GET", unique, "")).build();
        }));
        results.add(run("token issuance (client_credentials, Basic)", 200, () -> HttpRequest.newBuilder(URI.create(authUrl + "/v1/auth/token"))
                .header("Authorization", narrowBasic).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials")).build()));

        Result baseline = results.get(0);
        StringBuilder report = new StringBuilder(String.format("%d concurrent clients on the same 2 cores as the service, %d s per row after %d s warm-up.%n%n",
                CONCURRENCY, MEASURE.toSeconds(), WARMUP.toSeconds()));
        report.append("| request | requests/s | p50 ms | p99 ms | added per request vs. baseline (ms of service time) |\n|---|---|---|---|---|\n");
        for (Result result : results) {
            double added = 1000.0 / result.perSecond() - 1000.0 / baseline.perSecond();
            report.append(String.format("| %s | %,.0f | %.2f | %.2f | %s |%n", result.name(), result.perSecond(), result.p50Millis(), result.p99Millis(),
                    result == baseline ? "—" : String.format("%.3f", added)));
        }
        System.out.println(report);
        Path target = Path.of("target", "bench-auth.md");
        Files.createDirectories(target.getParent());
        Files.writeString(target, report.toString());
    }

    private Result run(String name, int expectedStatus, Supplier<HttpRequest> request) throws Exception {
        phase(request, expectedStatus, WARMUP, null);
        ConcurrentLinkedQueue<Long> latencies = new ConcurrentLinkedQueue<>();
        long count = phase(request, expectedStatus, MEASURE, latencies);
        List<Long> sorted = new ArrayList<>(latencies);
        Collections.sort(sorted);
        return new Result(name, count / (double) MEASURE.toSeconds(),
                sorted.get(sorted.size() / 2) / 1e6, sorted.get((int) (sorted.size() * 0.99)) / 1e6);
    }

    /** Closed loop: each worker sends its next request when the previous one answered. */
    private long phase(Supplier<HttpRequest> request, int expectedStatus, Duration length, ConcurrentLinkedQueue<Long> latencies) throws Exception {
        AtomicLong done = new AtomicLong();
        long end = System.nanoTime() + length.toNanos();
        try (var workers = Executors.newVirtualThreadPerTaskExecutor()) {
            List<java.util.concurrent.Future<?>> futures = new ArrayList<>();
            for (int i = 0; i < CONCURRENCY; i++) {
                futures.add(workers.submit(() -> {
                    while (System.nanoTime() < end) {
                        long start = System.nanoTime();
                        HttpResponse<String> response = http.send(request.get(), HttpResponse.BodyHandlers.ofString());
                        if (response.statusCode() != expectedStatus) {
                            fail("expected " + expectedStatus + " but got " + response.statusCode() + ": " + response.body()
                                    + (response.statusCode() == 429 ? " (start bin/weft up with the rate limits raised, see the class comment)" : ""));
                        }
                        if (latencies != null) {
                            latencies.add(System.nanoTime() - start);
                        }
                        done.incrementAndGet();
                    }
                    return null;
                }));
            }
            for (var future : futures) {
                future.get();
            }
        }
        return done.get();
    }

    private HttpRequest.Builder get(String path) {
        return HttpRequest.newBuilder(URI.create(authUrl + path)).GET();
    }

    private String token(String basic) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(authUrl + "/v1/auth/token"))
                .header("Authorization", basic).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        return JSON.readTree(response.body()).get("access_token").asText();
    }

    private JsonNode post(String path, String bearer, String body) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(authUrl + path))
                .header("Authorization", "Bearer " + bearer).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(201, response.statusCode(), response.body());
        return JSON.readTree(response.body());
    }

    private static String require(String variable) {
        String value = System.getenv(variable);
        if (value == null || value.isBlank()) {
            fail(variable + " is not set: start the stack with bin/weft up and run `set -a; source .weft/env; set +a` first");
        }
        return value;
    }
}
