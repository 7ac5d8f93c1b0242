package dev.weft.platform.http;

import dev.weft.platform.config.PlatformConfig;
import dev.weft.platform.error.ApiException;
import dev.weft.platform.error.ErrorCode;
import jakarta.annotation.Priority;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.PreMatching;
import jakarta.ws.rs.ext.Provider;
import jakarta.ws.rs.ext.ReaderInterceptor;
import jakarta.ws.rs.ext.ReaderInterceptorContext;

import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * {@code weft.platform.http.max-body-size} for a body that declares no length (chunked), counted where it is read. A
 * declared Content-Length over the limit is refused by {@link HttpGuards} before any reading. A chunked body can only
 * be counted as it streams, and Quarkus REST's own count (its blocking input stream, under
 * {@code quarkus.http.limits.max-body-size}) answers a bare 413 with no body, no error shape and no request id; so
 * every entity a resource reads passes through here and a body past the limit is a {@link ApiException}
 * PAYLOAD_TOO_LARGE, rendered like every other error. Quarkus' count is moved a little further out
 * ({@link #BACKSTOP}) and still stops a body read some other way.
 */
@Provider
public class BodyLimit implements ReaderInterceptor {
    /** How far past the limit Quarkus' own bare 413 stays armed, for a body nothing here counts. */
    public static final long BACKSTOP = 1024 * 1024;
    /** The request property {@link ForPath} sets: the body limit of the request's path. */
    static final String LIMIT_PROPERTY = "dev.weft.platform.http.body-limit";

    // Looked up per request: Quarkus REST creates interceptors at static init, before runtime config exists.
    @Inject
    Instance<PlatformConfig> config;

    /** The limit outside upload paths, read from the configuration at the first request (0 until then). */
    private volatile long limit;

    @Override
    public Object aroundReadFrom(ReaderInterceptorContext context) throws IOException {
        long max = context.getProperty(LIMIT_PROPERTY) instanceof Long forPath ? forPath : defaultLimit();
        context.setInputStream(limited(context.getInputStream(), max));
        return context.proceed();
    }

    private long defaultLimit() {
        long max = limit;
        if (max == 0) {
            max = config.get().http().maxBodySize();
            limit = max;
        }
        return max;
    }

    /**
     * Records the body limit of the request's path ({@code weft.platform.http.upload-paths} take the upload limit) for the
     * reader interceptor and for whatever else reads the body first (a signed request's verification), before matching.
     */
    @Provider
    @PreMatching
    @Priority(Priorities.AUTHENTICATION - 1000)
    public static final class ForPath implements ContainerRequestFilter {
        @Inject
        Instance<PlatformConfig> config;

        /** Read once: each lookup of the config mapping (a dependent bean) built it anew. */
        private volatile PlatformConfig.Http http;

        @Override
        public void filter(ContainerRequestContext request) {
            PlatformConfig.Http limits = http;
            if (limits == null) {
                limits = config.get().http();
                http = limits;
            }
            // The path as routing sees it (dot segments resolved), as HttpGuards checks a declared length against it.
            request.setProperty(LIMIT_PROPERTY, limits.bodyLimit(request.getUriInfo().getPath()));
        }
    }

    /** The body limit {@link ForPath} recorded for this request, or {@code fallback} when none was. */
    public static long of(ContainerRequestContext request, long fallback) {
        return request.getProperty(LIMIT_PROPERTY) instanceof Long forPath ? forPath : fallback;
    }

    public static ApiException tooLarge(long limit) {
        return new ApiException(ErrorCode.PAYLOAD_TOO_LARGE, "Request body is larger than " + limit + " bytes");
    }

    /** The stream, failing with {@link #tooLarge} once more than {@code limit} bytes have been read from it. */
    public static InputStream limited(InputStream in, long limit) {
        return new FilterInputStream(in) {
            private long count;

            private int counted(int n) {
                if (n > 0) {
                    count += n;
                    if (count > limit) {
                        throw tooLarge(limit);
                    }
                }
                return n;
            }

            @Override
            public int read() throws IOException {
                int b = super.read();
                if (b >= 0) {
                    counted(1);
                }
                return b;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                return counted(super.read(b, off, len));
            }

            @Override
            public long skip(long n) throws IOException {
                long skipped = super.skip(n);
                counted((int) Math.min(skipped, Integer.MAX_VALUE));
                return skipped;
            }
        };
    }

    /** The whole body, or {@link #tooLarge} once it passes {@code limit}. */
    public static byte[] readAll(InputStream in, long limit) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        limited(in, limit).transferTo(out);
        return out.toByteArray();
    }
}
