package dev.weft.auth.credential;

import dev.weft.auth.client.Scopes;
import dev.weft.platform.error.ApiException;
import dev.weft.platform.error.ErrorCode;
import dev.weft.platform.tenancy.RequestPrincipal;

import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/** Scope checks shared by every credential a caller creates: well-formed, and none beyond the creator's own. */
public final class Grantable {
    private Grantable() {
    }

    public static Set<String> scopes(Collection<String> requested, RequestPrincipal creator) {
        Set<String> scopes = new LinkedHashSet<>();
        for (String scope : requested) {
            if (!Scopes.wellFormed(scope)) {
                throw ApiException.invalid("scopes", "scope_syntax", "scope " + printable(scope)
                        + " is not a known scope form (resource:action, admin or introspect)");
            }
            scopes.add(scope);
        }
        Scopes.notGrantableBy(creator, scopes).ifPresent(scope -> {
            throw new ApiException(ErrorCode.INSUFFICIENT_SCOPE, "You cannot grant the scope " + scope + " because you do not hold it",
                    Map.of("field", "scopes", "constraint", "grantable", "scope", scope));
        });
        return scopes;
    }

    private static String printable(String scope) {
        String cut = scope.length() > 64 ? scope.substring(0, 64) + "..." : scope;
        return "'" + cut.replaceAll("[^\\x20-\\x7e]", "?") + "'";
    }
}
