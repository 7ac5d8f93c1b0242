package dev.weft.e2e;

import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Verifies a received webhook with the Standard Webhooks reference library (the npm package
 * {@code standardwebhooks}, pinned in e2e/webhook-verifier), as a customer's receiver would:
 * Weft's own verifier agreeing with Weft's own signer would prove little.
 */
final class StandardWebhooksVerifier {
    private static final Path SOURCE = Path.of(System.getProperty("basedir", ".")).resolve("webhook-verifier");
    private static final Path WORK = Path.of(System.getProperty("basedir", ".")).resolve("target/webhook-verifier");

    private StandardWebhooksVerifier() {
    }

    /** Returns the payload type the library verified; fails the test when it refuses. */
    static String verify(String secret, WebhookReceiver.Received received) throws IOException, InterruptedException {
        install();
        Map<String, Object> input = Map.of("secret", secret, "body", received.body(), "headers", Map.of(
                "webhook-id", received.headers().get("webhook-id"),
                "webhook-timestamp", received.headers().get("webhook-timestamp"),
                "webhook-signature", received.headers().get("webhook-signature")));
        Process node = new ProcessBuilder("node", WORK.resolve("verify.js").toString()).redirectErrorStream(true).start();
        node.getOutputStream().write(new ObjectMapper().writeValueAsBytes(input));
        node.getOutputStream().close();
        String output = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (!node.waitFor(60, TimeUnit.SECONDS) || node.exitValue() != 0) {
            throw new AssertionError("the Standard Webhooks library refused the delivery: " + output);
        }
        return output;
    }

    private static synchronized void install() throws IOException, InterruptedException {
        if (Files.isDirectory(WORK.resolve("node_modules/standardwebhooks"))) {
            return;
        }
        Files.createDirectories(WORK);
        for (String file : new String[]{"package.json", "verify.js"}) {
            Files.copy(SOURCE.resolve(file), WORK.resolve(file), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        Process npm = new ProcessBuilder("npm", "install", "--no-audit", "--no-fund", "--silent").directory(WORK.toFile())
                .redirectErrorStream(true).start();
        String output = new String(npm.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!npm.waitFor(180, TimeUnit.SECONDS) || npm.exitValue() != 0) {
            throw new AssertionError("npm install of the Standard Webhooks library failed (node and npm are needed for this test): " + output);
        }
    }
}
