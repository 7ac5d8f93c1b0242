package dev.weft.auth;

import com.nimbusds.oauth2.sdk.AccessTokenResponse;
import com.nimbusds.oauth2.sdk.ClientCredentialsGrant;
import com.nimbusds.oauth2.sdk.OAuth2Error;
import com.nimbusds.oauth2.sdk.RefreshTokenGrant;
import com.nimbusds.oauth2.sdk.Scope;
import com.nimbusds.oauth2.sdk.TokenErrorResponse;
import com.nimbusds.oauth2.sdk.TokenIntrospectionRequest;
import com.nimbusds.oauth2.sdk.TokenIntrospectionResponse;
import com.nimbusds.oauth2.sdk.TokenRequest;
import com.nimbusds.oauth2.sdk.TokenResponse;
import com.nimbusds.oauth2.sdk.auth.ClientSecretBasic;
import com.nimbusds.oauth2.sdk.auth.ClientSecretPost;
import com.nimbusds.oauth2.sdk.auth.Secret;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.token.BearerAccessToken;
import com.nimbusds.oauth2.sdk.token.Tokens;
import dev.weft.testing.WeftInfraResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.net.URL;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A standard OAuth 2.0 client library, used unchanged, obtains, refreshes and introspects tokens. */
@QuarkusTest
@QuarkusTestResource(value = WeftInfraResource.class, restrictToAnnotatedClass = false)
class NimbusOAuthClientTest extends AuthTestSupport {

    @TestHTTPResource("/v1/auth/token")
    URL tokenEndpoint;

    @Test
    void nimbus_sdk_obtains_and_refreshes_a_token_with_client_secret_basic() throws Exception {
        Client admin = newAdmin();
        ClientSecretBasic auth = new ClientSecretBasic(new ClientID(admin.clientId()), new Secret(admin.secret()));
        TokenResponse response = TokenResponse.parse(
                new TokenRequest(tokenEndpoint.toURI(), auth, new ClientCredentialsGrant(), new Scope("clients:read")).toHTTPRequest().send());
        assertTrue(response.indicatesSuccess(), () -> response.toErrorResponse().getErrorObject().toString());
        Tokens tokens = ((AccessTokenResponse) response).getTokens();
        assertEquals(3600, tokens.getBearerAccessToken().getLifetime());
        assertEquals(new Scope("clients:read"), tokens.getBearerAccessToken().getScope());
        assertNotNull(tokens.getRefreshToken());
        bearer(tokens.getBearerAccessToken().getValue()).when().get("/v1/clients").then().statusCode(200);

        TokenResponse refreshed = TokenResponse.parse(
                new TokenRequest(tokenEndpoint.toURI(), auth, new RefreshTokenGrant(tokens.getRefreshToken())).toHTTPRequest().send());
        assertTrue(refreshed.indicatesSuccess(), () -> refreshed.toErrorResponse().getErrorObject().toString());
        Tokens next = ((AccessTokenResponse) refreshed).getTokens();
        assertNotEquals(tokens.getRefreshToken(), next.getRefreshToken());
        bearer(next.getBearerAccessToken().getValue()).when().get("/v1/clients").then().statusCode(200);
    }

    @TestHTTPResource("/v1/auth/introspect")
    URL introspectionEndpoint;

    @Test
    void nimbus_sdk_introspects_with_client_secret_basic_and_post() throws Exception {
        Client admin = newAdmin();
        Client worker = clientFor(admin.orgId(), "clients:read");
        BearerAccessToken token = new BearerAccessToken(accessToken(worker));
        TokenIntrospectionResponse own = TokenIntrospectionResponse.parse(new TokenIntrospectionRequest(introspectionEndpoint.toURI(),
                new ClientSecretBasic(new ClientID(worker.clientId()), new Secret(worker.secret())), token).toHTTPRequest().send());
        assertTrue(own.indicatesSuccess(), () -> own.toErrorResponse().getErrorObject().toString());
        assertTrue(own.toSuccessResponse().isActive());
        assertEquals(new ClientID(worker.clientId()), own.toSuccessResponse().getClientID());
        assertEquals(new Scope("clients:read"), own.toSuccessResponse().getScope());

        TokenIntrospectionResponse byAdmin = TokenIntrospectionResponse.parse(new TokenIntrospectionRequest(introspectionEndpoint.toURI(),
                new ClientSecretPost(new ClientID(admin.clientId()), new Secret(admin.secret())), token).toHTTPRequest().send());
        assertTrue(byAdmin.toSuccessResponse().isActive(), "admin implies introspect: any token of its org");

        TokenIntrospectionResponse wrong = TokenIntrospectionResponse.parse(new TokenIntrospectionRequest(introspectionEndpoint.toURI(),
                new ClientSecretBasic(new ClientID(worker.clientId()), new Secret("wcs_wrong")), token).toHTTPRequest().send());
        assertFalse(wrong.indicatesSuccess());
        assertEquals(OAuth2Error.INVALID_CLIENT.getCode(), wrong.toErrorResponse().getErrorObject().getCode());
        assertEquals(401, wrong.toErrorResponse().getErrorObject().getHTTPStatusCode());
    }

    @Test
    void nimbus_sdk_works_with_client_secret_post_and_parses_our_errors() throws Exception {
        Client admin = newAdmin();
        TokenResponse ok = TokenResponse.parse(new TokenRequest(tokenEndpoint.toURI(),
                new ClientSecretPost(new ClientID(admin.clientId()), new Secret(admin.secret())), new ClientCredentialsGrant())
                .toHTTPRequest().send());
        assertTrue(ok.indicatesSuccess());

        TokenResponse wrong = TokenResponse.parse(new TokenRequest(tokenEndpoint.toURI(),
                new ClientSecretBasic(new ClientID(admin.clientId()), new Secret("wcs_wrong")), new ClientCredentialsGrant())
                .toHTTPRequest().send());
        assertFalse(wrong.indicatesSuccess());
        TokenErrorResponse error = wrong.toErrorResponse();
        assertEquals(OAuth2Error.INVALID_CLIENT.getCode(), error.getErrorObject().getCode());
        assertEquals(401, error.getErrorObject().getHTTPStatusCode());
    }
}
