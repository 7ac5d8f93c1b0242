package dev.weft.platform.http.outbound;

import dev.weft.platform.http.AddressPolicy;
import dev.weft.platform.http.outbound.OutboundOutcome.Failure;
import io.netty.util.NetUtil;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.tracing.TracingPolicy;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.security.cert.CertificateException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLException;

/**
 * Calls URLs that customers supply (webhook endpoints, workflow {@code http} actions, notification
 * targets): the one way any Weft service makes such requests.
 *
 * <p>Against SSRF and DNS rebinding, the host is resolved here, every address it resolves to is checked with the
 * {@link AddressPolicy}, and the connection goes to the checked address itself ({@link RequestOptions#setServer})
 * while the URL's host stays in the {@code Host} header and in TLS SNI and certificate verification. Redirects are
 * never followed. One non-blocking Vert.x client with keep-alive pools serves every send.
 */
public class OutboundClient implements AutoCloseable {

    /** Headers the sender owns; a caller's values for them are ignored. */
    private static final Set<String> RESERVED_HEADERS =
            Set.of("host", "content-length", "transfer-encoding", "connection", "keep-alive", "upgrade", "te");

    private static final int ERROR_DETAIL_CHARS = 200;

    private final Vertx vertx;
    private final AddressPolicy policy;
    private final AddressLookup lookup;
    private final OutboundOptions options;
    private final HttpClient client;

    public OutboundClient(Vertx vertx, AddressPolicy policy, OutboundOptions options) {
        this(vertx, policy, options, AddressLookup.system(vertx));
    }

    public OutboundClient(Vertx vertx, AddressPolicy policy, OutboundOptions options, AddressLookup lookup) {
        this.vertx = Objects.requireNonNull(vertx, "vertx");
        this.policy = Objects.requireNonNull(policy, "policy");
        this.options = Objects.requireNonNull(options, "options");
        this.lookup = Objects.requireNonNull(lookup, "lookup");
        HttpClientOptions clientOptions = new HttpClientOptions()
                .setName("weft-outbound-" + options.userAgent().replaceAll("[^A-Za-z0-9]+", "-").toLowerCase(Locale.ROOT))
                .setConnectTimeout(Math.toIntExact(options.connectTimeout().toMillis()))
                .setKeepAlive(true)
                .setKeepAliveTimeout(Math.toIntExact(options.idleTimeout().toSeconds()))
                .setVerifyHost(true)
                .setForceSni(true)
                // No span per delivery and, above all, no traceparent sent to customers' servers.
                .setTracingPolicy(TracingPolicy.IGNORE);
        if (options.trustOptions() != null) {
            clientOptions.setTrustOptions(options.trustOptions());
        }
        PoolOptions poolOptions = new PoolOptions()
                .setHttp1MaxSize(options.maxPoolSize())
                .setMaxWaitQueueSize(options.maxWaitQueueSize());
        this.client = vertx.createHttpClient(clientOptions, poolOptions);
    }

    /**
     * POSTs {@code body} as JSON to {@code url}. Never fails: every failure is an outcome.
     *
     * @param headers sent as given (e.g. the webhook signature); Content-Type defaults to application/json
     * @param timeout for the whole send, name resolution and connecting included
     */
    public CompletionStage<OutboundOutcome> send(URI url, Map<String, String> headers, String body, Duration timeout) {
        return send(HttpMethod.POST, url, headers, Objects.requireNonNull(body, "body"), timeout);
    }

    /** POSTs a JSON body already encoded as UTF-8 (sent as it is, not copied). */
    public CompletionStage<OutboundOutcome> send(URI url, Map<String, String> headers, byte[] body, Duration timeout) {
        return send(HttpMethod.POST, url, headers, Buffer.buffer(Objects.requireNonNull(body, "body")), timeout);
    }

    /**
     * Sends a request with any method; {@code body} may be null (none is sent). Never fails: every failure is an outcome.
     *
     * @param headers sent as given; with a body, Content-Type defaults to application/json
     * @param timeout for the whole exchange, name resolution and connecting included
     */
    public CompletionStage<OutboundOutcome> send(HttpMethod method, URI url, Map<String, String> headers, String body, Duration timeout) {
        return send(method, url, headers, body == null ? null : Buffer.buffer(body), timeout);
    }

    private CompletionStage<OutboundOutcome> send(HttpMethod method, URI url, Map<String, String> headers, Buffer body, Duration timeout) {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(headers, "headers");
        long timeoutMillis = Math.max(1, Objects.requireNonNull(timeout, "timeout").toMillis());
        AtomicLong timer = new AtomicLong(-1);
        OutboundExchange attempt = new OutboundExchange(() -> vertx.cancelTimer(timer.get()));
        OutboundTarget target;
        try {
            target = OutboundTarget.of(url, policy);
        } catch (OutboundTarget.Refused refused) {
            attempt.fail(refused.failure, refused.getMessage());
            return attempt.outcome();
        }
        // set before anything asynchronous starts, so finishing always sees the timer
        timer.set(vertx.setTimer(timeoutMillis, id -> attempt.timedOut(timeoutMillis)));
        resolve(target).whenComplete((addresses, error) -> {
            if (error != null) {
                fail(attempt, error);
            } else if (addresses.isEmpty() || !addresses.stream().allMatch(policy::permits)) {
                // one forbidden address is enough: a rebinding host may hand out either
                attempt.fail(Failure.BLOCKED_ADDRESS, "the URL's host resolves to an address that is not allowed");
            } else {
                dispatch(attempt, method, target, addresses.getFirst(), headers, body, timeoutMillis);
            }
        });
        return attempt.outcome();
    }

    private CompletionStage<List<InetAddress>> resolve(OutboundTarget target) {
        if (target.hostIsIpLiteral()) {
            InetAddress literal = NetUtil.createInetAddressFromIpAddressString(target.host());
            return CompletableFuture.completedFuture(List.of(literal));
        }
        try {
            return lookup.lookup(target.host());
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private void dispatch(OutboundExchange attempt, HttpMethod method, OutboundTarget target, InetAddress checked,
            Map<String, String> headers, Buffer body, long timeoutMillis) {
        if (attempt.isDone()) {
            return;
        }
        long remaining = Math.max(1, timeoutMillis - attempt.elapsedMillis());
        RequestOptions request = new RequestOptions()
                .setMethod(method)
                // connect to exactly the address that was checked (no host name, so Vert.x cannot re-resolve it)
                .setServer(SocketAddress.inetSocketAddress(new InetSocketAddress(addressOnly(checked), target.port())))
                .setHost(target.host())
                .setPort(target.port())
                .setSsl(target.tls())
                .setURI(target.requestUri())
                .setFollowRedirects(false)
                .setConnectTimeout(Math.min(options.connectTimeout().toMillis(), remaining));
        try {
            if (body != null) {
                request.putHeader(HttpHeaders.CONTENT_TYPE, "application/json");
            }
            request.putHeader(HttpHeaders.USER_AGENT, options.userAgent());
            if (target.host().indexOf(':') >= 0) {
                // Vert.x would write an IPv6 literal without brackets; SNI is not sent for IP literals anyway
                request.putHeader(HttpHeaders.HOST, "[" + target.host() + "]:" + target.port());
            }
            headers.forEach((name, value) -> {
                if (!RESERVED_HEADERS.contains(name.toLowerCase(Locale.ROOT))) {
                    request.getHeaders().set(name, value);
                }
            });
        } catch (IllegalArgumentException e) {
            attempt.fail(Failure.IO, "a request header is not valid HTTP");
            return;
        }
        client.request(request).onComplete(obtained -> {
            if (obtained.failed()) {
                fail(attempt, obtained.cause());
                return;
            }
            if (!attempt.attach(obtained.result())) {
                return;
            }
            (body == null ? obtained.result().send() : obtained.result().send(body)).onComplete(sent -> {
                if (sent.failed()) {
                    fail(attempt, sent.cause());
                } else {
                    attempt.responded(sent.result());
                }
            });
        });
    }

    private static InetAddress addressOnly(InetAddress address) {
        try {
            return InetAddress.getByAddress(address.getAddress());
        } catch (UnknownHostException impossible) {
            throw new IllegalStateException(impossible);
        }
    }

    private static void fail(OutboundExchange attempt, Throwable error) {
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            // Netty's ConnectTimeoutException is a ConnectException, so timeouts are matched first
            if (cause instanceof TimeoutException || cause instanceof SocketTimeoutException
                    || cause instanceof io.netty.channel.ConnectTimeoutException) {
                attempt.fail(Failure.TIMEOUT, "connecting timed out");
                return;
            }
            if (cause instanceof UnknownHostException) {
                attempt.fail(Failure.DNS, "the URL's host could not be resolved");
                return;
            }
            if (cause instanceof SSLException || cause instanceof CertificateException) {
                attempt.fail(Failure.TLS, "TLS handshake failed: " + detail(cause));
                return;
            }
            if (cause instanceof ConnectException || String.valueOf(cause.getMessage()).contains("Connection refused")) {
                attempt.fail(Failure.CONNECTION_REFUSED, "connection refused");
                return;
            }
        }
        attempt.fail(Failure.IO, "request failed: " + detail(error));
    }

    private static String detail(Throwable error) {
        String message = error.getMessage() == null ? error.getClass().getSimpleName() : error.getMessage();
        message = message.replaceAll("[\\r\\n\\t]+", " ");
        return message.length() <= ERROR_DETAIL_CHARS ? message : message.substring(0, ERROR_DETAIL_CHARS) + "...";
    }

    /** Closes the pooled connections. */
    @Override
    public void close() {
        client.close();
    }
}
