package dev.weft.platform.tenancy;

import dev.weft.platform.error.ApiException;
import dev.weft.platform.error.ErrorCode;

import io.quarkus.arc.Arc;
import io.quarkus.arc.ArcContainer;

import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * The principal of the work on this thread: the request's authenticated principal, or one set explicitly
 * with {@link #runAs} for background work (a consumer, a scheduled job). Everything tenant-scoped
 * (Hibernate's tenant discriminator, repositories, the outbox) reads it from here.
 */
public final class TenantContext {
    private static final ThreadLocal<RequestPrincipal> CURRENT = new ThreadLocal<>();

    private TenantContext() {
    }

    public static Optional<RequestPrincipal> current() {
        RequestPrincipal explicit = CURRENT.get();
        if (explicit != null) {
            return Optional.of(explicit);
        }
        ArcContainer container = Arc.container();
        if (container != null && container.requestContext().isActive()) {
            return Optional.ofNullable(container.instance(CurrentPrincipal.class).get().get());
        }
        return Optional.empty();
    }

    public static RequestPrincipal require() {
        return current().orElseThrow(() -> new ApiException(ErrorCode.UNAUTHORIZED, "Authentication required"));
    }

    public static String requireOrgId() {
        return require().orgId();
    }

    public static <T> T callAs(RequestPrincipal principal, Callable<T> work) throws Exception {
        RequestPrincipal previous = CURRENT.get();
        CURRENT.set(principal);
        try {
            return work.call();
        } finally {
            if (previous == null) {
                CURRENT.remove();
            } else {
                CURRENT.set(previous);
            }
        }
    }

    public static void runAs(RequestPrincipal principal, Runnable work) {
        try {
            callAs(principal, () -> {
                work.run();
                return null;
            });
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
