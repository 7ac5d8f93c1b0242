// Drives Weft's OAuth endpoints with openid-client, unchanged, as a customer's code would: discovery
// (RFC 8414), the client-credentials and refresh grants, revocation, and introspection with
// client_secret_basic and client_secret_post. Reads {"issuer","client_id","client_secret","scope",
// "foreign_token"} as JSON on stdin and prints what it saw as one JSON object; exits 1 on anything
// unexpected, so the Java test asserts on the observations and a library failure is reported as such.
import * as client from "openid-client";

let input = "";
for await (const chunk of process.stdin) input += chunk;
const { issuer, client_id, client_secret, scope, foreign_token } = JSON.parse(input);

// The test suite runs on plain http://127.0.0.1; openid-client wants that said explicitly.
const withAuth = (metadata, secret, auth) => {
  const config = new client.Configuration(metadata, client_id, secret, auth);
  client.allowInsecureRequests(config);
  return config;
};

try {
  const basic = await client.discovery(new URL(issuer), client_id, client_secret, client.ClientSecretBasic(client_secret),
    { algorithm: "oauth2", execute: [client.allowInsecureRequests] });
  const metadata = basic.serverMetadata();
  const post = withAuth(metadata, client_secret, client.ClientSecretPost(client_secret));
  const out = {
    issuer: metadata.issuer,
    introspection_endpoint: metadata.introspection_endpoint,
    introspection_endpoint_auth_methods_supported: metadata.introspection_endpoint_auth_methods_supported,
  };

  const tokens = await client.clientCredentialsGrant(basic, { scope });
  out.token_scope = tokens.scope;
  out.own_basic = await client.tokenIntrospection(basic, tokens.access_token);
  out.own_post = await client.tokenIntrospection(post, tokens.access_token, { token_type_hint: "access_token" });
  out.own_refresh = await client.tokenIntrospection(post, tokens.refresh_token, { token_type_hint: "refresh_token" });
  out.foreign = await client.tokenIntrospection(basic, foreign_token);
  out.unknown = await client.tokenIntrospection(basic, "wrt_no_such_token");

  const refreshed = await client.refreshTokenGrant(basic, tokens.refresh_token);
  await client.tokenRevocation(basic, refreshed.access_token);
  out.revoked = await client.tokenIntrospection(post, refreshed.access_token);

  try {
    await client.tokenIntrospection(withAuth(metadata, "wcs_wrong", client.ClientSecretBasic("wcs_wrong")), tokens.access_token);
    out.wrong_secret = { refused: false };
  } catch (e) {
    // A 401 with WWW-Authenticate surfaces as WWWAuthenticateChallengeError (body unread), otherwise ResponseBodyError.
    const body = e.error ? { error: e.error } : await e.response?.json().catch(() => ({}));
    out.wrong_secret = { refused: true, status: e.status, error: body?.error, challenge: e.cause?.[0]?.scheme };
  }
  console.log(JSON.stringify(out));
} catch (e) {
  console.error(`openid-client failed: ${e.name}: ${e.message} status=${e.status} error=${e.error} ${e.error_description ?? ""}`);
  process.exit(1);
}
