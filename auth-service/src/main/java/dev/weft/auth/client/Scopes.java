package dev.weft.auth.client;

import dev.weft.platform.tenancy.RequestPrincipal;

import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/** Scope syntax ({@code resource:action}, {@code admin}, {@code introspect}) and the rules for granting them. */
public final class Scopes {
    /** Scopes advertised in the RFC 8414 metadata; any well-formed {@code resource:action} is accepted too. */
    public static final List<String> KNOWN = List.of("admin", "introspect", "clients:read", "clients:write",
            "api_keys:read", "api_keys:write", "signing_keys:read", "signing_keys:write",
            "connections:read", "connections:write", "syncs:read", "syncs:write", "records:read", "records:write",
            "messages:read", "messages:write", "contacts:read", "contacts:write", "conversations:read", "conversations:write",
            "webhooks:read", "webhooks:manage", "workflows:read", "workflows:write",
            "email:read", "email:write", "calendar:read", "calendar:write", "documents:read", "documents:write");
    public static final String INTROSPECT = "introspect";
    public static final int MAX_SCOPES = 50;

    private static final Pattern SCOPE = Pattern.compile("admin|introspect|[a-z][a-z0-9_]{0,39}:[a-z][a-z0-9_]{0,39}");

    private Scopes() {
    }

    public static boolean wellFormed(String scope) {
        return scope != null && SCOPE.matcher(scope).matches();
    }

    /** RFC 6749 §3.3: space-delimited; empty for null or blank. Order is kept, duplicates dropped. */
    public static Set<String> parse(String spaceDelimited) {
        Set<String> scopes = new LinkedHashSet<>();
        if (spaceDelimited != null) {
            for (String scope : spaceDelimited.trim().split(" +")) {
                if (!scope.isEmpty()) {
                    scopes.add(scope);
                }
            }
        }
        return scopes;
    }

    /** Sorted so the same set always prints the same way. */
    public static String format(Collection<String> scopes) {
        return String.join(" ", new TreeSet<>(scopes));
    }

    /** The first requested scope the creator may not hand out; admin may grant any. */
    public static Optional<String> notGrantableBy(RequestPrincipal creator, Collection<String> requested) {
        if (creator.scopes().contains(RequestPrincipal.ADMIN_SCOPE)) {
            return Optional.empty();
        }
        return requested.stream().filter(scope -> !creator.scopes().contains(scope)).findFirst();
    }

    /** What a client holding {@code granted} may request: admin covers every scope. */
    public static boolean covers(Set<String> granted, Set<String> requested) {
        return granted.contains(RequestPrincipal.ADMIN_SCOPE) || granted.containsAll(requested);
    }
}
