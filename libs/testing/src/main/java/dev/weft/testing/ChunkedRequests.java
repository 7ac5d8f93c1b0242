package dev.weft.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Requests whose body is sent with {@code Transfer-Encoding: chunked}, over a plain socket: no client library
 * computes a Content-Length behind the test's back (REST Assured sends one for a {@code ByteArrayInputStream} body),
 * so the server can only count the body while it streams. The answer is read while the body is still being written,
 * because a server refusing the body answers and closes before the client is through.
 */
public final class ChunkedRequests {
    private static final int CHUNK = 64 * 1024;

    private ChunkedRequests() {
    }

    /** Status, header fields (names lower-cased) and body of the answer. */
    public record Answer(int status, Map<String, String> headers, String body) {
        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    /**
     * Sends {@code method path} to 127.0.0.1:{@code port} with {@code headers}, {@code Connection: close} and a chunked
     * body: {@code start}, then {@code filler} bytes of 'x', then {@code end} (so a JSON string field can be padded).
     */
    public static Answer send(int port, String method, String path, Map<String, String> headers, String start, long filler, String end) {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(30_000);
            ByteArrayOutputStream received = new ByteArrayOutputStream();
            Thread reader = Thread.ofVirtual().start(() -> {
                try {
                    socket.getInputStream().transferTo(received);
                } catch (IOException e) {
                    // Reset once the answer is in (the server closed with the body unread): what arrived is judged.
                }
            });
            OutputStream out = socket.getOutputStream();
            try {
                StringBuilder head = new StringBuilder(method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n");
                headers.forEach((name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
                head.append("Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n");
                out.write(head.toString().getBytes(StandardCharsets.UTF_8));
                chunk(out, start.getBytes(StandardCharsets.UTF_8));
                byte[] x = new byte[CHUNK];
                Arrays.fill(x, (byte) 'x');
                for (long left = filler; left > 0 && reader.isAlive(); left -= CHUNK) {
                    chunk(out, left >= CHUNK ? x : Arrays.copyOf(x, (int) left));
                }
                chunk(out, end.getBytes(StandardCharsets.UTF_8));
                out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
            } catch (IOException e) {
                // The server stopped reading and closed: expected once it has refused the body.
            }
            reader.join(30_000);
            return parse(received.toString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void chunk(OutputStream out, byte[] data) throws IOException {
        if (data.length == 0) {
            return; // a zero-length chunk would end the body
        }
        out.write((Integer.toHexString(data.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(data);
        out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
    }

    private static Answer parse(String all) {
        int split = all.indexOf("\r\n\r\n");
        if (split < 0) {
            throw new AssertionError("no HTTP answer, got: " + all);
        }
        String[] lines = all.substring(0, split).split("\r\n");
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
        }
        String body = all.substring(split + 4);
        if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            body = dechunk(body);
        }
        return new Answer(Integer.parseInt(lines[0].split(" ")[1]), headers, body);
    }

    private static String dechunk(String chunked) {
        StringBuilder out = new StringBuilder();
        int at = 0;
        while (at < chunked.length()) {
            int eol = chunked.indexOf("\r\n", at);
            int size = Integer.parseInt(chunked.substring(at, eol).split(";")[0].trim(), 16);
            if (size == 0) {
                break;
            }
            out.append(chunked, eol + 2, eol + 2 + size);
            at = eol + 2 + size + 2;
        }
        return out.toString();
    }
}
