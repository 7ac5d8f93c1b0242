package dev.weft.platform.services;

import dev.weft.platform.PlatformTestBase;
import dev.weft.platform.tenancy.SystemPrincipal;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * A callee that closes a kept-alive connection just as the next request goes out on it (its idle timeout): a GET is
 * sent once more on a new connection; a POST, which the callee may have acted on, is the caller's to retry.
 */
@QuarkusTest
class ServiceClientRetryTest extends PlatformTestBase {
    @Inject
    ServiceClient client;
    @Inject
    SystemPrincipal system;

    /** Answers every request with {} and keeps the connection, except that the first connection's second request is met by a close. */
    private static final class ClosingServer implements AutoCloseable {
        final ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        final AtomicInteger connections = new AtomicInteger();
        final AtomicInteger requests = new AtomicInteger();

        ClosingServer() throws IOException {
            Thread.ofVirtual().start(() -> {
                while (!socket.isClosed()) {
                    try {
                        Socket connection = socket.accept();
                        int number = connections.incrementAndGet();
                        Thread.ofVirtual().start(() -> serve(connection, number));
                    } catch (IOException e) {
                        return;
                    }
                }
            });
        }

        private void serve(Socket connection, int number) {
            try (connection; InputStream in = connection.getInputStream()) {
                for (int served = 0; readRequest(in); served++) {
                    requests.incrementAndGet();
                    if (number == 1 && served == 1) {
                        return;
                    }
                    connection.getOutputStream().write(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n"
                            + "Connection: keep-alive\r\n\r\n{}").getBytes(StandardCharsets.US_ASCII));
                    connection.getOutputStream().flush();
                }
            } catch (IOException e) {
                // the client went away
            }
        }

        /** Reads one request's head and its body, if it has a Content-Length; false at the end of the stream. */
        private static boolean readRequest(InputStream in) throws IOException {
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            int b;
            while ((b = in.read()) >= 0) {
                head.write(b);
                String text = head.toString(StandardCharsets.US_ASCII);
                if (text.endsWith("\r\n\r\n")) {
                    for (String line : text.split("\r\n")) {
                        if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
                            in.readNBytes(Integer.parseInt(line.substring(15).trim()));
                        }
                    }
                    return true;
                }
            }
            return false;
        }

        String url() {
            return "http://127.0.0.1:" + socket.getLocalPort();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    @Test
    void a_get_on_a_connection_the_callee_closed_goes_once_more_on_a_new_one() throws Exception {
        String org = newOrg();
        try (ClosingServer server = new ClosingServer()) {
            system.callAs(org, () -> client.get("callee", server.url(), Duration.ofSeconds(5), "/internal/v1/things", Map.class));
            Thread.sleep(200); // the connection back in the client's pool, idle: the next call takes it
            assertEquals(Map.of(), system.callAs(org, () -> client.get("callee", server.url(), Duration.ofSeconds(5), "/internal/v1/things", Map.class)));
            assertEquals(2, server.connections.get(), "the second GET went again on a new connection");
            assertEquals(3, server.requests.get());
        }
    }

    @Test
    void a_post_on_a_connection_the_callee_closed_is_the_callers_to_retry() throws Exception {
        String org = newOrg();
        try (ClosingServer server = new ClosingServer()) {
            system.callAs(org, () -> client.post("callee", server.url(), Duration.ofSeconds(5), "/internal/v1/things", Map.of("a", 1), Map.class));
            Thread.sleep(200);
            ServiceClient.Unavailable refused = assertThrows(ServiceClient.Unavailable.class, () -> system.callAs(org,
                    () -> client.post("callee", server.url(), Duration.ofSeconds(5), "/internal/v1/things", Map.of("a", 2), Map.class)));
            assertEquals("callee is unreachable: HttpClosedException Connection was closed", refused.getMessage());
            assertEquals(2, server.requests.get(), "the POST was not sent twice");
            assertEquals(1, server.connections.get());
        }
    }
}
