package dev.weft.connections.connector.salesforce;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.http.Request;
import com.github.tomakehurst.wiremock.matching.MatchResult;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jwt.SignedJWT;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.interfaces.RSAPublicKey;
import java.util.Base64;
import java.util.Date;
import java.util.Map;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

/**
 * A Salesforce org on a WireMock server, for tests of the connector and of the service around it.
 * It answers the JWT bearer token request (only {@code grant_type=...jwt-bearer} with an assertion
 * signed by the key pair it trusts; anything else gets Salesforce's {@code invalid_grant}), and,
 * for the token it issued, the seed SOQL query (two Technology accounts), the sObject list and the
 * Account describe, in the shapes Salesforce documents. Other calls get Salesforce's 401
 * {@code INVALID_SESSION_ID} or WireMock's 404.
 *
 * <pre>{@code
 * SalesforceStub org = SalesforceStub.start();
 * settings: org.settings("key_abc123")  // login-url, base-url, jwt-username, private-key.key_abc123
 * ...
 * org.stop();
 * }</pre>
 */
public final class SalesforceStub implements AutoCloseable {
    public static final String API_VERSION = "v58.0";
    /** The seed query as the connector renders it. */
    public static final String SEED_SOQL = "SELECT Id, Name, Industry, AnnualRevenue FROM Account WHERE Industry = 'Technology' "
            + "AND AnnualRevenue > 1000000 ORDER BY Id LIMIT 100";
    public static final String ACCESS_TOKEN = "00DSTUB000000001!AQ0AQStubAccessToken";
    public static final String JWT_USERNAME = "integration@weft.example";
    static final String JWT_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer";

    private final WireMockServer server;
    private final String privateKeyPem;

    private SalesforceStub(RSAPublicKey trusted, String privateKeyPem) {
        this.privateKeyPem = privateKeyPem;
        this.server = new WireMockServer(options().dynamicPort());
        server.start();
        registerTokenEndpoint(trusted);
        registerApi();
    }

    /** A stub that trusts a key pair of its own; {@link #privateKeyPem()} is the key to sign with. */
    public static SalesforceStub start() {
        KeyPems keys = generateKeyPair();
        return new SalesforceStub(keys.publicKey(), keys.privateKeyPem());
    }

    /** A stub that accepts assertions signed by the private half of {@code trusted}. */
    public static SalesforceStub start(RSAPublicKey trusted) {
        return new SalesforceStub(trusted, null);
    }

    /** The stub's root URL: use it as both {@code login-url} and {@code base-url}. */
    public String baseUrl() {
        return server.baseUrl();
    }

    /** The PEM (PKCS#8) private key this stub trusts, when it generated its own (else null). */
    public String privateKeyPem() {
        return privateKeyPem;
    }

    /** The WireMock server, to add stubs or verify requests. */
    public WireMockServer server() {
        return server;
    }

    /** Operator settings for the salesforce provider pointing at this stub, with the key as {@code private-key.<keyId>}. */
    public Map<String, String> settings(String keyId) {
        return Map.of("login-url", baseUrl(), "base-url", baseUrl(), "jwt-username", JWT_USERNAME,
                "private-key." + keyId, privateKeyPem == null ? "" : privateKeyPem);
    }

    /** How many JWT bearer token requests arrived. */
    public int tokenRequests() {
        return server.countRequestsMatching(postRequestedFor(urlPathEqualTo("/services/oauth2/token")).build()).getCount();
    }

    public void stop() {
        server.stop();
    }

    @Override
    public void close() {
        stop();
    }

    /** A fresh 2048-bit RSA key pair, the private key as PKCS#8 PEM and the public key as X.509 PEM. */
    public static KeyPems generateKeyPair() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            KeyPair pair = generator.generateKeyPair();
            return new KeyPems(pem("PRIVATE KEY", pair.getPrivate().getEncoded()), pem("PUBLIC KEY", pair.getPublic().getEncoded()),
                    (RSAPublicKey) pair.getPublic());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public record KeyPems(String privateKeyPem, String publicKeyPem, RSAPublicKey publicKey) {
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    private void registerTokenEndpoint(RSAPublicKey trusted) {
        server.stubFor(post(urlPathEqualTo("/services/oauth2/token")).atPriority(10)
                .willReturn(aResponse().withStatus(400).withHeader("Content-Type", "application/json")
                        .withBody("{\"error\":\"invalid_grant\",\"error_description\":\"invalid assertion\"}")));
        server.stubFor(post(urlPathEqualTo("/services/oauth2/token")).atPriority(1)
                .andMatching(request -> MatchResult.of(validAssertion(request, trusted)))
                .willReturn(okJson("""
                        {"access_token":"%s","instance_url":"%s","id":"https://login.salesforce.com/id/00DSTUB000000001/005STUB000000001",
                         "token_type":"Bearer","scope":"api","issued_at":"1700000000000","signature":"c3R1Yg=="}
                        """.formatted(ACCESS_TOKEN, baseUrl()))));
    }

    private boolean validAssertion(Request request, RSAPublicKey trusted) {
        Map<String, String> form = form(request.getBodyAsString());
        if (!JWT_GRANT.equals(form.get("grant_type")) || form.get("assertion") == null) {
            return false;
        }
        try {
            SignedJWT jwt = SignedJWT.parse(form.get("assertion"));
            var claims = jwt.getJWTClaimsSet();
            return jwt.verify(new RSASSAVerifier(trusted)) && claims.getIssuer() != null && claims.getSubject() != null
                    && claims.getAudience().contains(baseUrl()) && claims.getExpirationTime() != null
                    && claims.getExpirationTime().after(new Date());
        } catch (Exception e) {
            return false;
        }
    }

    static Map<String, String> form(String body) {
        Map<String, String> form = new java.util.HashMap<>();
        for (String pair : body.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                form.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8), URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return form;
    }

    private void registerApi() {
        String bearer = "Bearer " + ACCESS_TOKEN;
        server.stubFor(any(urlPathMatching("/services/data/.*")).atPriority(10)
                .willReturn(aResponse().withStatus(401).withHeader("Content-Type", "application/json")
                        .withBody("[{\"message\":\"Session expired or invalid\",\"errorCode\":\"INVALID_SESSION_ID\"}]")));
        server.stubFor(get(urlPathEqualTo("/services/data/" + API_VERSION + "/query")).atPriority(1)
                .withHeader("Authorization", equalTo(bearer))
                .withQueryParam("q", equalTo(SEED_SOQL))
                .willReturn(okJson("""
                        {"totalSize":2,"done":true,"records":[
                          {"attributes":{"type":"Account","url":"/services/data/v58.0/sobjects/Account/001Dn00000A1b2cIAB"},
                           "Id":"001Dn00000A1b2cIAB","Name":"Acme Robotics","Industry":"Technology","AnnualRevenue":5000000.0},
                          {"attributes":{"type":"Account","url":"/services/data/v58.0/sobjects/Account/001Dn00000A1b2dIAB"},
                           "Id":"001Dn00000A1b2dIAB","Name":"Globex Software","Industry":"Technology","AnnualRevenue":12500000.0}]}
                        """)));
        server.stubFor(get(urlPathEqualTo("/services/data/" + API_VERSION + "/limits")).atPriority(1)
                .withHeader("Authorization", equalTo(bearer))
                .willReturn(okJson("""
                        {"DailyApiRequests":{"Max":15000,"Remaining":14998},"DataStorageMB":{"Max":5,"Remaining":5}}
                        """)));
        server.stubFor(get(urlPathEqualTo("/services/data/" + API_VERSION + "/sobjects")).atPriority(1)
                .withHeader("Authorization", equalTo(bearer))
                .willReturn(okJson("""
                        {"encoding":"UTF-8","maxBatchSize":200,"sobjects":[
                          {"name":"Account","label":"Account","labelPlural":"Accounts","keyPrefix":"001","custom":false,"queryable":true,
                           "createable":true,"updateable":true,"deletable":true,"retrieveable":true,
                           "urls":{"sobject":"/services/data/v58.0/sobjects/Account","describe":"/services/data/v58.0/sobjects/Account/describe"}},
                          {"name":"Contact","label":"Contact","labelPlural":"Contacts","keyPrefix":"003","custom":false,"queryable":true,
                           "createable":true,"updateable":true,"deletable":true,"retrieveable":true,
                           "urls":{"sobject":"/services/data/v58.0/sobjects/Contact","describe":"/services/data/v58.0/sobjects/Contact/describe"}},
                          {"name":"AccountChangeEvent","label":"Account Change Event","custom":false,"queryable":false,
                           "createable":false,"updateable":false,"deletable":false,"retrieveable":false}]}
                        """)));
        server.stubFor(get(urlPathEqualTo("/services/data/" + API_VERSION + "/sobjects/Account/describe")).atPriority(1)
                .withHeader("Authorization", equalTo(bearer))
                .willReturn(okJson("""
                        {"name":"Account","label":"Account","queryable":true,"createable":true,"updateable":true,"deletable":true,"fields":[
                          {"name":"Id","type":"id","nillable":false,"createable":false,"updateable":false,"externalId":false,"idLookup":true},
                          {"name":"Name","type":"string","length":255,"nillable":false,"createable":true,"updateable":true},
                          {"name":"Industry","type":"picklist","nillable":true,"createable":true,"updateable":true},
                          {"name":"AnnualRevenue","type":"currency","nillable":true,"createable":true,"updateable":true},
                          {"name":"NumberOfEmployees","type":"int","nillable":true,"createable":true,"updateable":true},
                          {"name":"IsDeleted","type":"boolean","nillable":false,"createable":false,"updateable":false},
                          {"name":"LastActivityDate","type":"date","nillable":true,"createable":false,"updateable":false},
                          {"name":"BillingAddress","type":"address","nillable":true,"createable":false,"updateable":false},
                          {"name":"SystemModstamp","type":"datetime","nillable":false,"createable":false,"updateable":false}]}
                        """)));
    }
}
