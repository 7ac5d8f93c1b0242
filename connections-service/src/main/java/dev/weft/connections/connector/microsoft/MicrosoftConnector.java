package dev.weft.connections.connector.microsoft;

import dev.weft.connections.connector.FieldSchema;
import dev.weft.connections.connector.http.OAuthProfileConnector;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.List;

/** Microsoft 365 (OAuth): the user's Graph profile ({@code /me}); Outlook mail and calendar objects come later. */
@ApplicationScoped
public class MicrosoftConnector extends OAuthProfileConnector {

    @Override
    public String provider() {
        return "microsoft";
    }

    @Override
    protected String defaultBaseUrl() {
        return "https://graph.microsoft.com";
    }

    @Override
    protected String profilePath() {
        return "/v1.0/me";
    }

    @Override
    protected String idField() {
        return "id";
    }

    @Override
    protected List<FieldSchema> profileFields() {
        return List.of(
                new FieldSchema("id", "string", "string", false, true),
                new FieldSchema("displayName", "string", "string", true, true),
                new FieldSchema("givenName", "string", "string", true, true),
                new FieldSchema("surname", "string", "string", true, true),
                new FieldSchema("mail", "string", "string", true, true),
                new FieldSchema("userPrincipalName", "string", "string", true, true),
                new FieldSchema("jobTitle", "string", "string", true, true),
                new FieldSchema("mobilePhone", "string", "string", true, true),
                new FieldSchema("officeLocation", "string", "string", true, true),
                new FieldSchema("preferredLanguage", "string", "string", true, true),
                new FieldSchema("businessPhones", "array", "Collection(Edm.String)", true, true));
    }
}
