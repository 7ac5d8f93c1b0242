package dev.weft.platform.error;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DatabindException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import io.quarkus.logging.Log;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.ConstraintViolationException;
import jakarta.validation.Path;
import jakarta.ws.rs.NotAcceptableException;
import jakarta.ws.rs.NotAllowedException;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.NotSupportedException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Turns every exception a resource can raise into the one error shape. Bad input is always a
 * 4xx naming what was wrong; anything unexpected is a 500 with no detail beyond the request id,
 * which is in the log line beside the stack trace.
 */
public class ExceptionMappers {

    @ServerExceptionMapper
    public Response api(ApiException e, HttpHeaders headers) {
        Response response = ErrorResponses.build(headers, e.code(), e.getMessage(), e.details());
        // A body refused part-way is left unread: the connection must not be reused for a next request.
        return e.code() == ErrorCode.PAYLOAD_TOO_LARGE ? Response.fromResponse(response).header("Connection", "close").build() : response;
    }

    @ServerExceptionMapper
    public Response json(JsonProcessingException e, HttpHeaders headers) {
        ApiException raised = raisedWithin(e);
        if (raised != null) {
            return api(raised, headers);
        }
        return ErrorResponses.build(headers, ErrorCode.INVALID_REQUEST, describe(e), fieldOf(e));
    }

    /**
     * What a body Jackson could not read gets, for a service that reads one itself (a merge patch applied to the stored
     * object): the field and what is wrong with it, as a body the resource could not read gets, never Jackson's own
     * message with its Java class names. {@code context} opens the message (empty for none).
     */
    public static ApiException invalidBody(JsonProcessingException e, String context) {
        return new ApiException(ErrorCode.INVALID_REQUEST, context + describe(e), fieldOf(e));
    }

    /**
     * An {@link ApiException} a reader's input raised part-way (the body limit, {@code BodyLimit}), which Jackson wraps
     * with the path it was reading; null when the failure is the JSON's own.
     */
    static ApiException raisedWithin(Throwable e) {
        for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
            if (cause instanceof ApiException api) {
                return api;
            }
        }
        return null;
    }

    // Quarkus REST ships mappers for these exact Jackson types; a user mapper of the same type wins.
    @ServerExceptionMapper
    public Response jsonParse(JsonParseException e, HttpHeaders headers) {
        return json(e, headers);
    }

    @ServerExceptionMapper
    public Response mismatchedInput(MismatchedInputException e, HttpHeaders headers) {
        return json(e, headers);
    }

    @ServerExceptionMapper
    public Response invalidFormat(InvalidFormatException e, HttpHeaders headers) {
        return json(e, headers);
    }

    @ServerExceptionMapper
    public Response unrecognizedProperty(UnrecognizedPropertyException e, HttpHeaders headers) {
        return json(e, headers);
    }

    @ServerExceptionMapper
    public Response databind(DatabindException e, HttpHeaders headers) {
        return json(e, headers);
    }

    @ServerExceptionMapper
    public Response validation(ConstraintViolationException e, HttpHeaders headers) {
        ConstraintViolation<?> first = e.getConstraintViolations().stream()
                .min(java.util.Comparator.comparing(v -> v.getPropertyPath().toString()))
                .orElse(null);
        if (first == null) {
            return ErrorResponses.build(headers, ErrorCode.INVALID_REQUEST, "Request is not valid", Map.of());
        }
        String field = fieldName(first.getPropertyPath());
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("field", field);
        details.put("constraint", constraintName(first));
        if (e.getConstraintViolations().size() > 1) {
            details.put("violations", e.getConstraintViolations().stream()
                    .map(v -> Map.of("field", fieldName(v.getPropertyPath()), "message", v.getMessage()))
                    .collect(Collectors.toList()));
        }
        return ErrorResponses.build(headers, ErrorCode.INVALID_REQUEST, field + " " + first.getMessage(), details);
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e, HttpHeaders headers, UriInfo uri) {
        ApiException raised = raisedWithin(e);
        if (raised != null) {
            return api(raised, headers);
        }
        if (e.getCause() instanceof JsonProcessingException json) {
            return json(json, headers);
        }
        int status = e.getResponse() == null ? 500 : e.getResponse().getStatus();
        if (e instanceof NotFoundException) {
            return ErrorResponses.build(headers, ErrorCode.NOT_FOUND, "No resource at " + uri.getPath(), Map.of());
        }
        if (e instanceof NotAllowedException) {
            Response response = ErrorResponses.build(headers, ErrorCode.METHOD_NOT_ALLOWED, "Method not allowed on " + uri.getPath(), Map.of());
            String allow = e.getResponse().getHeaderString("Allow");
            return allow == null ? response : Response.fromResponse(response).header("Allow", allow).build();
        }
        if (e instanceof NotSupportedException) {
            return ErrorResponses.build(headers, ErrorCode.UNSUPPORTED_MEDIA_TYPE, "Content-Type must be application/json", Map.of());
        }
        if (e instanceof NotAcceptableException) {
            return ErrorResponses.build(headers, ErrorCode.NOT_ACCEPTABLE, "This API answers application/json", Map.of());
        }
        if (status >= 500) {
            return unexpected(e, headers);
        }
        return ErrorResponses.build(headers, ErrorCode.forStatus(status), "Request could not be processed", Map.of());
    }

    @ServerExceptionMapper
    public Response unexpected(Throwable e, HttpHeaders headers) {
        ApiException raised = raisedWithin(e);
        if (raised != null) {
            return api(raised, headers);
        }
        if (databaseUnavailable(e)) {
            // Not the request's fault nor a bug: the pool had no connection in time, or the database refused one.
            Log.warnf("event=database_unavailable request_id=%s cause=%s", headers == null ? null : headers.getHeaderString("X-Request-Id"), e);
            return Response.fromResponse(ErrorResponses.build(headers, ErrorCode.SERVICE_UNAVAILABLE,
                    "The service is busy; retry after a moment", Map.of())).header("Retry-After", "1").build();
        }
        if (transientFailure(e)) {
            // Another service or system is unreachable for now: the request may succeed when retried, and is no bug.
            Log.warnf("event=dependency_unavailable request_id=%s cause=%s", headers == null ? null : headers.getHeaderString("X-Request-Id"), e);
            return Response.fromResponse(ErrorResponses.build(headers, ErrorCode.SERVICE_UNAVAILABLE,
                    "A service this request needs is unavailable; retry after a moment", Map.of())).header("Retry-After", "1").build();
        }
        Log.errorf(e, "event=unhandled_exception request_id=%s", headers == null ? null : headers.getHeaderString("X-Request-Id"));
        return ErrorResponses.build(headers, ErrorCode.INTERNAL_ERROR, "Internal error; quote the request id when reporting it", Map.of());
    }

    /** Whether a call to another service or system failed for now ({@link dev.weft.platform.events.Failures.Transient}). */
    static boolean transientFailure(Throwable e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
            if (cause instanceof dev.weft.platform.events.Failures.Transient) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether the database, not the request, failed: the connection pool's acquisition timeout (Agroal's
     * {@code SQLException}), a connection that could not be made or was lost (SQLState class 08), too many
     * connections (53300) or a server shutting down or starting (57P01–57P03).
     */
    static boolean databaseUnavailable(Throwable e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
            if (cause instanceof java.sql.SQLTransientConnectionException) {
                return true;
            }
            if (cause instanceof java.sql.SQLException sql) {
                String state = sql.getSQLState();
                if (state != null && (state.startsWith("08") || state.equals("53300") || state.startsWith("57P0"))) {
                    return true;
                }
                String message = sql.getMessage();
                if (message != null && message.toLowerCase(java.util.Locale.ROOT).contains("acquisition timeout")) {
                    return true;
                }
            }
        }
        return false;
    }

    private static String describe(JsonProcessingException e) {
        if (e instanceof UnrecognizedPropertyException unknown) {
            return "Unknown field " + unknown.getPropertyName();
        }
        if (e instanceof InvalidFormatException || e instanceof MismatchedInputException) {
            String field = path((JsonMappingException) e);
            String expected = expected(((MismatchedInputException) e).getTargetType());
            if (expected == null) {
                return field.isEmpty() ? "Request body has the wrong shape" : field + " has the wrong type";
            }
            return (field.isEmpty() ? "Request body" : field) + " must be " + EXPECTED_PHRASES.get(expected);
        }
        if (e instanceof DatabindException) {
            return "Request body could not be read";
        }
        return "Request body is not valid JSON";
    }

    private static Map<String, Object> fieldOf(JsonProcessingException e) {
        if (e instanceof UnrecognizedPropertyException unknown) {
            return Map.of("field", path(unknown), "constraint", "unknown_field");
        }
        if (e instanceof JsonMappingException mapping && !path(mapping).isEmpty()) {
            String expected = mapping instanceof MismatchedInputException mismatched ? expected(mismatched.getTargetType()) : null;
            return expected == null ? Map.of("field", path(mapping), "constraint", "type")
                    : Map.of("field", path(mapping), "constraint", "type", "expected", expected);
        }
        return Map.of("constraint", "json");
    }

    /** The field as the API's own checks name it: {@code field_mappings[0].source}. */
    private static String path(JsonMappingException e) {
        StringBuilder field = new StringBuilder();
        for (JsonMappingException.Reference ref : e.getPath()) {
            if (ref.getFieldName() != null) {
                if (!field.isEmpty()) {
                    field.append('.');
                }
                field.append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                field.append('[').append(ref.getIndex()).append(']');
            }
        }
        return field.toString();
    }

    private static final Map<String, String> EXPECTED_PHRASES = Map.of("array", "an array", "object", "an object", "string", "a string",
            "integer", "an integer", "number", "a number", "boolean", "true or false", "date-time", "an RFC 3339 date-time such as 2026-01-31T09:00:00Z");

    /**
     * The JSON type a Java target is read from, for the caller to be told what to send instead (null when it cannot be
     * said plainly: an enum's or another custom type's values are its own reader's business).
     */
    static String expected(Class<?> type) {
        if (type == null || com.fasterxml.jackson.databind.JsonNode.class.isAssignableFrom(type) || type == Object.class || type.isEnum()) {
            return null;
        }
        if ((type.isArray() && type != byte[].class) || java.util.Collection.class.isAssignableFrom(type)) {
            return "array";
        }
        if (type == String.class || type == char.class || type == Character.class || type == byte[].class) {
            return "string";
        }
        if (type == boolean.class || type == Boolean.class) {
            return "boolean";
        }
        if (type == int.class || type == long.class || type == short.class || type == byte.class || type == Integer.class || type == Long.class
                || type == Short.class || type == Byte.class || type == java.math.BigInteger.class) {
            return "integer";
        }
        if (type == double.class || type == float.class || Number.class.isAssignableFrom(type)) {
            return "number";
        }
        if (type == java.time.Instant.class || type == java.time.OffsetDateTime.class || type == java.time.ZonedDateTime.class) {
            return "date-time";
        }
        if (Map.class.isAssignableFrom(type) || type.isRecord() || (!type.isPrimitive() && !type.getName().startsWith("java."))) {
            return "object";
        }
        return null;
    }

    /** The JSON field a violation is about: the last property node, in the API's snake_case. */
    private static String fieldName(Path path) {
        String last = null;
        for (Path.Node node : path) {
            if (node.getKind() == jakarta.validation.ElementKind.PROPERTY) {
                last = node.getName();
            }
        }
        return last == null ? "body" : snake(last);
    }

    private static String snake(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(java.util.Locale.ROOT);
    }

    private static String constraintName(ConstraintViolation<?> violation) {
        String annotation = violation.getConstraintDescriptor().getAnnotation().annotationType().getSimpleName();
        return switch (annotation) {
            case "NotNull", "NotBlank", "NotEmpty" -> "required";
            default -> snake(annotation);
        };
    }
}
