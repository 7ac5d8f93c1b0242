package dev.weft.connections.connector.google;

import dev.weft.connections.connector.FieldSchema;
import dev.weft.connections.connector.http.OAuthProfileConnector;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.List;

/** Google (OAuth): the user's OpenID Connect profile; Gmail and Calendar objects come later. */
@ApplicationScoped
public class GoogleConnector extends OAuthProfileConnector {

    @Override
    public String provider() {
        return "google";
    }

    @Override
    protected String defaultBaseUrl() {
        return "https://openidconnect.googleapis.com";
    }

    @Override
    protected String profilePath() {
        return "/v1/userinfo";
    }

    @Override
    protected String idField() {
        return "sub";
    }

    @Override
    protected List<FieldSchema> profileFields() {
        return List.of(
                new FieldSchema("sub", "string", "string", false, true),
                new FieldSchema("email", "string", "string", true, true),
                new FieldSchema("email_verified", "boolean", "boolean", true, true),
                new FieldSchema("name", "string", "string", true, true),
                new FieldSchema("given_name", "string", "string", true, true),
                new FieldSchema("family_name", "string", "string", true, true),
                new FieldSchema("picture", "string", "string", true, true),
                new FieldSchema("locale", "string", "string", true, true),
                new FieldSchema("hd", "string", "string", true, true));
    }
}
