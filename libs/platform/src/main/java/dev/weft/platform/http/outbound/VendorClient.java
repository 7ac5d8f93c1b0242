package dev.weft.platform.http.outbound;

import dev.weft.platform.http.RetryAfter;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.zip.GZIPInputStream;

/**
 * Calls to a vendor's own API at a base URL Weft is configured with (a SaaS connector's, a messaging provider's), as
 * opposed to URLs customers supply, which go through {@link OutboundClient} and its address policy. What every such
 * caller shares: one JDK client per caller (keep-alive pool, connect timeout, redirects never followed), bodies read
 * as text and gunzipped when the vendor says {@code Content-Encoding: gzip} whether asked or not, and the reading of an
 * answer: which statuses are worth retrying, the vendor's {@code Retry-After}, an error text cut to a loggable length.
 * Blocking: callers run on worker or virtual threads. What an error means to the caller (an exception, a send
 * outcome) stays with the caller.
 */
public final class VendorClient {
    /** Longest vendor error text kept (messages, logs, error bodies). */
    public static final int MAX_ERROR_CHARS = 500;

    private static final HttpResponse.BodyHandler<String> TEXT = info -> {
        boolean gzip = info.headers().firstValue("Content-Encoding").filter(e -> e.equalsIgnoreCase("gzip")).isPresent();
        return gzip ? HttpResponse.BodySubscribers.mapping(HttpResponse.BodySubscribers.ofByteArray(), VendorClient::gunzip)
                : HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8).apply(info);
    };

    private final HttpClient http;

    /**
     * @param version {@code null} for the JDK's default (HTTP/2 where the vendor offers it), else e.g. HTTP/1.1 only
     */
    public VendorClient(HttpClient.Version version, Duration connectTimeout) {
        HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(Objects.requireNonNull(connectTimeout, "connectTimeout"))
                .followRedirects(HttpClient.Redirect.NEVER);
        if (version != null) {
            builder.version(version);
        }
        this.http = builder.build();
    }

    /**
     * Sends the request and reads the body as text. A connection refused, reset or timed out is the IOException;
     * an interrupt is one too (the thread's interrupt flag set again).
     */
    public HttpResponse<String> exchange(HttpRequest request) throws IOException {
        return exchange(request, TEXT);
    }

    /**
     * The same with the caller's body handler (e.g. {@code ofInputStream()} to stream a download; no gunzip then:
     * the caller asks for no encoding).
     */
    public <T> HttpResponse<T> exchange(HttpRequest request, HttpResponse.BodyHandler<T> handler) throws IOException {
        try {
            return http.send(request, handler);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while calling " + request.uri().getHost(), e);
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    /** Throttled (429) or the vendor's own failure (5xx): the same request may succeed later. */
    public static boolean transientStatus(int status) {
        return status == 429 || status >= 500;
    }

    /** The answer's {@code Retry-After}, in seconds or as an HTTP date. */
    public static Optional<Duration> retryAfter(HttpResponse<?> response) {
        return response.headers().firstValue("Retry-After").flatMap(RetryAfter::parse);
    }

    /** A vendor's error text cut to {@link #MAX_ERROR_CHARS} ("..." marking the cut); null stays null. */
    public static String shorten(String text) {
        return text == null || text.length() <= MAX_ERROR_CHARS ? text : text.substring(0, MAX_ERROR_CHARS) + "...";
    }

    /** A configured base URL without its trailing slashes, ready for "/path" to be appended. */
    public static String trimSlash(String base) {
        int end = base.length();
        while (end > 0 && base.charAt(end - 1) == '/') {
            end--;
        }
        return base.substring(0, end);
    }

    private static String gunzip(byte[] bytes) {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(bytes))) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("a gzip body could not be read", e);
        }
    }
}
