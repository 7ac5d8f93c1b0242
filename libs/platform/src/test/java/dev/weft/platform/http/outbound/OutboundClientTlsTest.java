package dev.weft.platform.http.outbound;

import dev.weft.platform.http.AddressPolicy;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.weft.platform.http.outbound.OutboundOutcome.Failure;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PfxOptions;
import java.net.InetAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** TLS goes to the checked address while SNI and certificate verification use the URL's host. */
class OutboundClientTlsTest {

    private static final String HOST = "hooks.weft-test.invalid";
    private static final AddressPolicy LOCAL = AddressPolicy.of(List.of("127.0.0.1/32"), false);
    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    /** Every host name resolves to the local test server. */
    private static final AddressLookup TO_LOCALHOST = host ->
            CompletableFuture.supplyAsync(() -> List.of(InetAddress.getLoopbackAddress()));

    private static Vertx vertx;
    private static final String PASSWORD = "test-only";
    private static Path keystore;
    private static PfxOptions certificate;
    private static int port;

    @BeforeAll
    static void startTlsServer() throws Exception {
        vertx = Vertx.vertx();
        certificate = selfSignedCertificate();
        HttpServer server = vertx.createHttpServer(new HttpServerOptions()
                        .setHost("127.0.0.1").setPort(0).setSsl(true).setSni(true)
                        .setKeyCertOptions(certificate))
                .requestHandler(request -> request.response().setStatusCode(200).end(new JsonObject()
                        .put("sni", request.connection().indicatedServerName())
                        .put("host", request.getHeader("Host"))
                        .encode()));
        server.listen().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        port = server.actualPort();
    }

    /**
     * A self-signed certificate for {@link #HOST} made with the JDK's keytool: Netty's own generator needs
     * BouncyCastle or JDK internals that newer JDKs no longer open.
     */
    private static PfxOptions selfSignedCertificate() throws Exception {
        keystore = Files.createTempFile("weft-sender-tls", ".p12");
        Files.delete(keystore);
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "server", "-keyalg", "EC", "-groupname", "secp256r1", "-validity", "2",
                "-dname", "CN=" + HOST, "-ext", "SAN=dns:" + HOST, "-storetype", "PKCS12",
                "-keystore", keystore.toString(), "-storepass", PASSWORD, "-keypass", PASSWORD)
                .redirectErrorStream(true).start();
        String output = new String(keytool.getInputStream().readAllBytes());
        if (!keytool.waitFor(30, TimeUnit.SECONDS) || keytool.exitValue() != 0) {
            throw new IllegalStateException("keytool failed: " + output);
        }
        return new PfxOptions().setPath(keystore.toString()).setPassword(PASSWORD);
    }

    @AfterAll
    static void stop() throws Exception {
        Files.deleteIfExists(keystore);
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    private static OutboundOutcome send(OutboundOptions options, String host) throws Exception {
        try (OutboundClient sender = new OutboundClient(vertx, LOCAL, options, TO_LOCALHOST)) {
            return sender.send(URI.create("https://" + host + ":" + port + "/"), Map.of(), "{}", TIMEOUT)
                    .toCompletableFuture().get(15, TimeUnit.SECONDS);
        }
    }

    @Test
    void sends_sni_and_verifies_the_certificate_for_the_url_host() throws Exception {
        OutboundOutcome outcome = send(OutboundOptions.defaults().withTrustOptions(certificate), HOST);
        assertEquals(200, outcome.statusCode(), outcome.toString());
        JsonObject seen = new JsonObject(outcome.responseExcerpt());
        assertEquals(HOST, seen.getString("sni"));
        assertEquals(HOST + ":" + port, seen.getString("host"));
    }

    @Test
    void reports_tls_failure_when_the_certificate_is_for_another_host() throws Exception {
        OutboundOutcome outcome = send(OutboundOptions.defaults().withTrustOptions(certificate),
                "other.weft-test.invalid");
        assertEquals(Failure.TLS, outcome.failure(), outcome.toString());
    }

    @Test
    void reports_tls_failure_for_an_untrusted_certificate() throws Exception {
        OutboundOutcome outcome = send(OutboundOptions.defaults(), HOST);
        assertEquals(Failure.TLS, outcome.failure(), outcome.toString());
    }
}
