package dev.weft.messaging.channel;

import dev.weft.messaging.support.ChannelStubs;
import io.restassured.RestAssured;
import io.restassured.response.Response;

import java.util.Map;

/** A WhatsApp account of an org in the stubs, and webhook deliveries to it as Meta sends them. */
record WhatsAppFixture(String org, String connectionId, String phoneNumberId) {
    static final String APP_SECRET = "wa-app-secret";
    static final String VERIFY_TOKEN = "wa-verify-token";
    static final String ACCESS_TOKEN = "EAAG-wa-token";

    static WhatsAppFixture create(String org) {
        String phoneNumberId = String.valueOf(100000000000000L + (long) (Math.random() * 1e12));
        String id = ChannelStubs.connection(org, "whatsapp", Map.of("phone_number_id", phoneNumberId),
                Map.of("access_token", ACCESS_TOKEN, "app_secret", APP_SECRET, "verify_token", VERIFY_TOKEN));
        return new WhatsAppFixture(org, id, phoneNumberId);
    }

    String account() {
        return org + "." + connectionId;
    }

    String inboundPath() {
        return "/v1/channels/whatsapp/inbound/" + account();
    }

    /** A Cloud API webhook carrying one text message from {@code from} (digits, no plus). */
    String messageWebhook(String from, String wamid, String text) {
        return """
                {"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"field":"messages","value":{
                "messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881","phone_number_id":"%s"},
                "contacts":[{"profile":{"name":"Sara Hussein"},"wa_id":"%s"}],
                "messages":[{"from":"%s","id":"%s","timestamp":"1733050750","type":"text","text":{"body":"%s"}}]}}]}]}"""
                .formatted(phoneNumberId, from, from, wamid, text);
    }

    String statusWebhook(String wamid, String status, String recipient) {
        return """
                {"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"field":"messages","value":{
                "messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881","phone_number_id":"%s"},
                "statuses":[{"id":"%s","status":"%s","timestamp":"1733050800","recipient_id":"%s"}]}}]}]}"""
                .formatted(phoneNumberId, wamid, status, recipient);
    }

    Response deliver(String body) {
        return RestAssured.given().header("X-Hub-Signature-256", ChannelStubs.metaSignature(APP_SECRET, body))
                .contentType("application/json").body(body).post(inboundPath());
    }
}
