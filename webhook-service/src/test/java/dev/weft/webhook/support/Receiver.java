package dev.weft.webhook.support;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;

/** Customers' webhook receivers: one WireMock server on 127.0.0.1, a path per test endpoint. */
public final class Receiver {
    private static WireMockServer server;

    private Receiver() {
    }

    public static synchronized WireMockServer server() {
        if (server == null) {
            server = new WireMockServer(WireMockConfiguration.options().dynamicPort().bindAddress("127.0.0.1").containerThreads(50)
                    // A delayed answer (a hanging customer endpoint) waits on a timer, not on one of Jetty's threads: held threads
                    // outlived our sends' timeouts (5 s against 2 s) and starved the healthy endpoints' answers of threads.
                    .asynchronousResponseEnabled(true).asynchronousResponseThreads(4));
            server.start();
        }
        return server;
    }

    public static String url(String path) {
        return server().baseUrl() + path;
    }

    /** Waits until {@code count} POSTs reached the path (or the timeout passed) and returns them, oldest first. */
    public static List<LoggedRequest> await(String path, int count, Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        List<LoggedRequest> requests = received(path);
        while (requests.size() < count && Instant.now().isBefore(deadline)) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            requests = received(path);
        }
        return requests;
    }

    public static List<LoggedRequest> received(String path) {
        return server().findAll(postRequestedFor(urlPathEqualTo(path)));
    }
}
