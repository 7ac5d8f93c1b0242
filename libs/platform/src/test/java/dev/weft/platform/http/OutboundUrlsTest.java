package dev.weft.platform.http;

import dev.weft.platform.error.ApiException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class OutboundUrlsTest {
    private static final AddressPolicy LOCAL = AddressPolicy.of(List.of("127.0.0.1/32"), true);

    @ParameterizedTest
    @CsvSource({
            "not a url, url",
            "ftp://example.com/x, url",
            "/relative/path, url",
            "http://93.184.215.14/hooks, https",
            "https://user:pw@93.184.215.14/hooks, url",
            "https://127.0.0.1/hooks, public_address",
            "https://10.0.0.1/hooks, public_address",
            "https://169.254.169.254/latest/meta-data, public_address",
            "https://[::ffff:127.0.0.1]/hooks, public_address",
            "https://does-not-exist.invalid/hooks, resolvable",
    })
    void the_strict_rule_refuses_with_the_constraint_named(String url, String constraint) {
        ApiException refused = assertThrows(ApiException.class,
                () -> OutboundUrls.check(url, "url", AddressPolicy.strict(), OutboundUrls.Unresolvable.REFUSED));
        assertEquals(constraint, refused.details().get("constraint"));
        assertEquals("url", refused.details().get("field"));
    }

    @Test
    void a_public_https_address_passes() {
        assertEquals("93.184.215.14", OutboundUrls.check("https://93.184.215.14/hooks", "url", AddressPolicy.strict(),
                OutboundUrls.Unresolvable.REFUSED).getHost());
    }

    @Test
    void an_unresolvable_host_may_be_accepted_for_later_checks_at_connect_time() {
        assertEquals("does-not-exist.invalid", OutboundUrls.check("https://does-not-exist.invalid/hooks", "url", AddressPolicy.strict(),
                OutboundUrls.Unresolvable.ACCEPTED).getHost());
    }

    @Test
    void a_url_that_is_not_one_is_told_which_schemes_the_policy_takes() {
        assertEquals("url must be an absolute https URL", assertThrows(ApiException.class,
                () -> OutboundUrls.check("ftp://example.com/x", "url", AddressPolicy.strict(), OutboundUrls.Unresolvable.ACCEPTED)).getMessage());
        assertEquals("url must be an absolute http or https URL", assertThrows(ApiException.class,
                () -> OutboundUrls.check("ftp://example.com/x", "url", LOCAL, OutboundUrls.Unresolvable.ACCEPTED)).getMessage());
    }

    @Test
    void an_operator_allow_list_admits_its_cidrs_and_plain_http_only() {
        OutboundUrls.check("http://127.0.0.1:3000/hooks", "url", LOCAL, OutboundUrls.Unresolvable.ACCEPTED);
        ApiException refused = assertThrows(ApiException.class,
                () -> OutboundUrls.check("http://10.0.0.1/hooks", "url", LOCAL, OutboundUrls.Unresolvable.ACCEPTED));
        assertEquals("public_address", refused.details().get("constraint"));
    }

    @Test
    void insecure_extensions_allow_any_address_and_http_but_not_credentials() {
        OutboundUrls.requireAllowed("http://10.0.0.1:9000/ext", true, "base_url");
        ApiException refused = assertThrows(ApiException.class, () -> OutboundUrls.requireAllowed("http://u:p@10.0.0.1/ext", true, "base_url"));
        assertEquals("base_url", refused.details().get("field"));
        assertThrows(ApiException.class, () -> OutboundUrls.requireAllowed("http://10.0.0.1:9000/ext", false, "base_url"));
    }
}
