package dev.weft.e2e;

import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A customer's webhook receiver on 127.0.0.1: records every request; answers 200 unless told to fail the next ones. */
final class WebhookReceiver implements AutoCloseable {
    record Received(String path, Map<String, String> headers, String body) {
    }

    private final HttpServer server;
    private final BlockingQueue<Received> received = new LinkedBlockingQueue<>();
    private final ConcurrentLinkedQueue<Integer> nextStatuses = new ConcurrentLinkedQueue<>();
    private volatile String failFor;
    private volatile String holdPath;
    private volatile java.util.concurrent.CountDownLatch held = new java.util.concurrent.CountDownLatch(0);

    WebhookReceiver() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            Received request;
            try (InputStream in = exchange.getRequestBody()) {
                Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
                exchange.getRequestHeaders().forEach((name, values) -> headers.put(name, String.join(",", values)));
                request = new Received(exchange.getRequestURI().getPath(), headers, new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
            if (request.path().equals(holdPath)) {
                // Keeps the caller waiting (a slow receiver) until released; added to received first, so a test sees it arrive.
                received.add(request);
                try {
                    held.await(120, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                exchange.sendResponseHeaders(200, -1);
                exchange.close();
                return;
            }
            String marker = failFor;
            Integer status = marker != null && request.body().contains(marker) ? nextStatuses.poll() : null;
            received.add(request);
            exchange.sendResponseHeaders(status == null ? 200 : status, -1);
            exchange.close();
        });
        // A held request must not keep the others waiting.
        server.setExecutor(java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
        server.start();
    }

    String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    /** Requests to {@code path} are held unanswered until {@link #release()}. */
    void hold(String path) {
        held = new java.util.concurrent.CountDownLatch(1);
        holdPath = path;
    }

    /** Answers the held requests, and later ones to that path at once. */
    void release() {
        holdPath = null;
        held.countDown();
    }

    /** The next request to {@code path}, others passed over. */
    Received nextAt(String path, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Received next = next(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            if (next.path().equals(path)) {
                return next;
            }
        }
    }

    /** The next {@code count} requests whose body contains {@code marker} get {@code status}. */
    void failNext(int count, int status, String marker) {
        for (int i = 0; i < count; i++) {
            nextStatuses.add(status);
        }
        failFor = marker;
    }

    /** The next request that carries this event type and whose body contains {@code marker}; others are passed over. */
    Received next(String eventType, String marker, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Received next = next(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            if (eventType.equals(next.headers().get("X-Weft-Event-Type")) && next.body().contains(marker)) {
                return next;
            }
        }
    }

    /** The next request already received, or null. */
    Received poll() {
        return received.poll();
    }

    Received next(Duration timeout) throws InterruptedException {
        Received next = received.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (next == null) {
            throw new AssertionError("no webhook arrived within " + timeout.toSeconds() + " s");
        }
        return next;
    }

    @Override
    public void close() {
        release();
        server.stop(0);
    }
}
