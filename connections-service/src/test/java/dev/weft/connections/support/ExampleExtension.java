package dev.weft.connections.support;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The documented example extension ({@code e2e/extension-example/InventoryExtension.java}) run as a
 * customer would run it: {@code java InventoryExtension.java} with {@code PORT} and the signing
 * secret Weft gave at registration in {@code WEFT_EXTENSION_SECRET}.
 */
public final class ExampleExtension implements AutoCloseable {
    private final Process process;
    private final Path log;
    private final URI baseUrl;

    private ExampleExtension(Process process, Path log, URI baseUrl) {
        this.process = process;
        this.log = log;
        this.baseUrl = baseUrl;
    }

    /** A port nobody listens on now, to register the extension's URL before it runs. */
    public static int freePort() throws IOException {
        try (ServerSocket free = new ServerSocket(0)) {
            return free.getLocalPort();
        }
    }

    public static ExampleExtension start(String secret) throws IOException, InterruptedException {
        return start(freePort(), secret);
    }

    public static ExampleExtension start(int port, String secret) throws IOException, InterruptedException {
        Path source = Path.of(System.getProperty("user.dir")).resolve("../e2e/extension-example/InventoryExtension.java").normalize();
        if (!Files.isRegularFile(source)) {
            throw new IllegalStateException("example extension not found at " + source);
        }
        Path log = Files.createTempFile("inventory-extension", ".log");
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), source.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().put("PORT", String.valueOf(port));
        builder.environment().put("WEFT_EXTENSION_SECRET", secret);
        Process process = builder.start();
        ExampleExtension extension = new ExampleExtension(process, log, URI.create("http://127.0.0.1:" + port));
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return extension;
            } catch (IOException notYet) {
                if (!process.isAlive() || System.nanoTime() > deadline) {
                    String output = Files.readString(log);
                    extension.close();
                    throw new IllegalStateException("example extension did not start: " + output);
                }
                Thread.sleep(100);
            }
        }
    }

    public URI baseUrl() {
        return baseUrl;
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
            Files.deleteIfExists(log);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException ignored) {
            // A leftover temp file is harmless.
        }
    }
}
