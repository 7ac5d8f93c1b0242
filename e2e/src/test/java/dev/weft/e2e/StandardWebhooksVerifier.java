package dev.weft.e2e;

import java.io.IOException;
import java.util.Map;

/**
 * Verifies a received webhook with the Standard Webhooks reference library (the npm package
 * {@code standardwebhooks}, pinned in e2e/webhook-verifier), as a customer's receiver would:
 * Weft's own verifier agreeing with Weft's own signer would prove little.
 */
final class StandardWebhooksVerifier {
    private StandardWebhooksVerifier() {
    }

    /** Returns the payload type the library verified; fails the test when it refuses. */
    static String verify(String secret, WebhookReceiver.Received received) throws IOException, InterruptedException {
        Map<String, Object> input = Map.of("secret", secret, "body", received.body(), "headers", Map.of(
                "webhook-id", received.headers().get("webhook-id"),
                "webhook-timestamp", received.headers().get("webhook-timestamp"),
                "webhook-signature", received.headers().get("webhook-signature")));
        NodeScript.Result result = NodeScript.run("webhook-verifier", "verify.js", input);
        if (result.exitCode() != 0) {
            throw new AssertionError("the Standard Webhooks library refused the delivery: " + result.output());
        }
        return result.output();
    }
}
