package dev.weft.platform.tenancy;

import jakarta.enterprise.context.RequestScoped;

/** The authenticated principal of the current HTTP request (the request may hop threads). */
@RequestScoped
public class CurrentPrincipal {
    private RequestPrincipal principal;

    public RequestPrincipal get() {
        return principal;
    }

    public void set(RequestPrincipal principal) {
        this.principal = principal;
    }
}
