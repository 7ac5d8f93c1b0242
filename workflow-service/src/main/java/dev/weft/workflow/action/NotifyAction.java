package dev.weft.workflow.action;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.weft.platform.error.ApiException;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code notify}: {@code message} (a template) to a {@code channel}:
 * <ul>
 *   <li>{@code slack}: posted through a Slack connection ({@code connection_id}, to {@code slack_channel}) as a write
 *       of {@code messages}, which connections-service sends as {@code chat.postMessage};</li>
 *   <li>{@code webhook}: POSTed as {@code {"text": ...}} to {@code url}, signed like an http action;</li>
 *   <li>{@code email}: not available yet (refused at creation).</li>
 * </ul>
 * Seed 000's {@code {"channel":"slack","message":...}} names no connection: it is accepted, and a run fails with a step
 * error saying which field is missing until one is set.
 */
@ApplicationScoped
public class NotifyAction implements Action {
    private final ConnectionsClient connections;
    private final Sender sender;
    private final ObjectMapper json;

    public NotifyAction(ConnectionsClient connections, Sender sender, ObjectMapper json) {
        this.connections = connections;
        this.sender = sender;
        this.json = json;
    }

    @Override
    public boolean signs() {
        return true;
    }

    @Override
    public String type() {
        return "notify";
    }

    @Override
    public void check(ObjectNode config, String at) {
        String channel = Actions.text(config, "channel", at, true);
        String message = Actions.text(config, "message", at, true);
        Templates.check(message, at + ".message");
        switch (channel) {
            case "slack" -> {
                Actions.text(config, "connection_id", at, false);
                Actions.text(config, "slack_channel", at, false);
            }
            case "webhook" -> {
                String url = Actions.text(config, "url", at, true);
                if (!url.startsWith("https://") && !url.startsWith("http://")) {
                    throw ApiException.invalid(at + ".url", "format", at + ".url must be an absolute https URL");
                }
            }
            case "email" -> throw ApiException.invalid(at + ".channel", "unsupported", at + ".channel email is not available yet; use slack or webhook");
            default -> throw ApiException.invalid(at + ".channel", "one_of", at + ".channel must be slack or webhook");
        }
    }

    @Override
    public StepResult run(StepInput input) {
        ObjectNode config = input.config();
        Templates.Rendered message = Templates.render(config.get("message").asText(), input.context());
        String channel = config.get("channel").asText();
        Map<String, Object> output = new LinkedHashMap<>();
        output.put("channel", channel);
        output.put("message", message.text());
        if (channel.equals("slack")) {
            if (!config.hasNonNull("connection_id") || !config.hasNonNull("slack_channel")) {
                throw StepFailure.permanent("INVALID_REQUEST", "a slack notification needs connection_id (a Slack connection) and slack_channel");
            }
            Map<String, Object> post = new LinkedHashMap<>();
            post.put("channel", config.get("slack_channel").asText());
            post.put("text", message.text());
            ConnectionsClient.WriteResponse response = connections.write(config.get("connection_id").asText(),
                    new ConnectionsClient.WriteRequest("messages", List.of(post), "insert", null));
            if (response != null && response.results() != null && !response.results().isEmpty()) {
                output.put("ts", response.results().getFirst().id());
            }
        } else {
            String body;
            try {
                body = json.writeValueAsString(Map.of("text", message.text()));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            output.put("response", sender.send("POST", config.get("url").asText(), Map.of(), body, input.signingSecret(), input.idempotencyKey()));
        }
        return StepResult.of(output).withWarnings(Notes.missing(message.missing()));
    }
}
