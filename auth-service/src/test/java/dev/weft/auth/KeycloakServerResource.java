package dev.weft.auth;

import dev.weft.testing.infra.FreePorts;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import org.keycloak.admin.client.Keycloak;
import org.keycloak.admin.client.KeycloakBuilder;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * A real Keycloak server (the keycloak-quarkus-dist zip, unpacked by Maven into target/keycloak)
 * in dev mode on a free port, with a fresh realm, and auth-service configured for Keycloak mode
 * against it: it provisions clients there and trusts the realm's tokens.
 */
public class KeycloakServerResource implements QuarkusTestResourceLifecycleManager {
    public static final String REALM = "weft-test";
    public static final String ADMIN_USERNAME = "weft-admin";
    public static final String ADMIN_PASSWORD = "weft-admin-password";
    /** Keycloak's first start builds its Quarkus app and database; on two slow cores this takes a minute or more. */
    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(240);

    private static String url;
    private static KeycloakServerResource running;
    private Process process;

    public static String url() {
        return url;
    }

    public static String issuer() {
        return url + "/realms/" + REALM;
    }

    public static Keycloak admin() {
        return KeycloakBuilder.builder().serverUrl(url).realm("master").clientId("admin-cli")
                .username(ADMIN_USERNAME).password(ADMIN_PASSWORD).grantType("password").build();
    }

    @Override
    public Map<String, String> start() {
        Path home = Path.of(System.getProperty("weft.test.keycloak.home", "target/keycloak/keycloak-26.0.8")).toAbsolutePath();
        Path script = home.resolve("bin/kc.sh");
        if (!Files.isExecutable(script)) {
            throw new IllegalStateException("No Keycloak at " + home + ": run the build through Maven, which unpacks it");
        }
        int port = FreePorts.next();
        url = "http://127.0.0.1:" + port;
        deleteRecursively(home.resolve("data"));
        ProcessBuilder builder = new ProcessBuilder(script.toString(), "start-dev", "--http-port=" + port, "--http-host=127.0.0.1")
                .directory(home.toFile())
                .redirectErrorStream(true)
                .redirectOutput(home.resolve("keycloak-test.log").toFile());
        Map<String, String> env = builder.environment();
        // Run it on the test JVM's own Java; Keycloak 26.0's Byte Buddy needs a flag for Java newer than 23.
        env.put("JAVA_HOME", System.getProperty("java.home"));
        env.put("JAVA_OPTS_APPEND", "-Dnet.bytebuddy.experimental=true");
        env.put("KC_BOOTSTRAP_ADMIN_USERNAME", ADMIN_USERNAME);
        env.put("KC_BOOTSTRAP_ADMIN_PASSWORD", ADMIN_PASSWORD);
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        running = this;
        awaitReady(home);
        createRealm();
        Map<String, String> config = new HashMap<>();
        config.put("weft.auth.keycloak.url", url);
        config.put("weft.auth.keycloak.realm", REALM);
        config.put("weft.auth.keycloak.admin-username", ADMIN_USERNAME);
        config.put("weft.auth.keycloak.admin-password", ADMIN_PASSWORD);
        config.put("weft.platform.auth.jwt.trusted-issuers.keycloak.issuer", issuer());
        config.put("weft.platform.auth.jwt.trusted-issuers.keycloak.jwks-url", issuer() + "/protocol/openid-connect/certs");
        config.put("weft.platform.auth.jwt.trusted-issuers.keycloak.scope-claim", "weft_scope");
        return config;
    }

    /**
     * Plain HTTP rather than the admin client: the Quarkus extension wires the admin client's REST
     * implementation when the application starts, which is after test resources start.
     */
    private static void createRealm() {
        HttpClient http = HttpClient.newHttpClient();
        try {
            String form = "grant_type=password&client_id=admin-cli&username=" + ADMIN_USERNAME + "&password=" + ADMIN_PASSWORD;
            HttpResponse<String> token = http.send(HttpRequest.newBuilder(URI.create(url + "/realms/master/protocol/openid-connect/token"))
                    .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(form)).build(),
                    HttpResponse.BodyHandlers.ofString());
            java.util.regex.Matcher accessToken = java.util.regex.Pattern.compile("\"access_token\"\\s*:\\s*\"([^\"]+)\"").matcher(token.body());
            if (token.statusCode() != 200 || !accessToken.find()) {
                throw new IllegalStateException("Keycloak admin login failed: " + token.statusCode());
            }
            HttpResponse<String> realm = http.send(HttpRequest.newBuilder(URI.create(url + "/admin/realms"))
                    .header("Authorization", "Bearer " + accessToken.group(1)).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"realm\":\"" + REALM + "\",\"enabled\":true}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (realm.statusCode() != 201) {
                throw new IllegalStateException("Creating the Keycloak realm failed: " + realm.statusCode() + " " + realm.body());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private void awaitReady(Path home) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        Instant deadline = Instant.now().plus(STARTUP_TIMEOUT);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("Keycloak exited with " + process.exitValue() + "; see " + home.resolve("keycloak-test.log"));
            }
            try {
                HttpResponse<Void> response = http.send(HttpRequest.newBuilder(URI.create(url + "/realms/master"))
                        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding());
                if (response.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // Not listening yet.
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            try {
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        stop();
        throw new IllegalStateException("Keycloak was not ready within " + STARTUP_TIMEOUT + "; see " + home.resolve("keycloak-test.log"));
    }

    /** Stops the server in the middle of a test class, to show what Keycloak being down does. */
    public static void stopServer() {
        if (running != null) {
            running.stop();
        }
    }

    /** A fresh H2 database per run (start-dev keeps it under data/), so the realm is always new. */
    private static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void stop() {
        if (process == null) {
            return;
        }
        // kc.sh runs a build JVM before exec-ing the server, so stop the whole tree.
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        try {
            if (!process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        process = null;
    }
}
