package dev.weft.platform.services;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import com.fasterxml.jackson.dataformat.smile.SmileFactory;
import com.fasterxml.jackson.jakarta.rs.smile.JacksonSmileProvider;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.ext.Provider;

import java.io.IOException;
import java.util.Base64;

/**
 * The wire form of the internal batch calls that carry records (connections-service's read and write, called by
 * sync-service): Smile, Jackson's binary encoding of the JSON data model, asked for by its media type and answered in
 * it; JSON stays the default for any other caller. Two reasons, both measured (docs/syncs.md): a decimal travels as
 * its unscaled value and scale, so a {@code numeric} keeps every digit (JSON text decoded untyped makes it a double,
 * which keeps 15–17), and a batch is written and read in less CPU and fewer bytes than as JSON text.
 *
 * <p>The Smile mapper is the service's own JSON mapper (naming, inclusion, unknown-property rules, modules) on a Smile
 * factory, with one difference kept out: bytes are written as base64 text, as JSON writes them, so a record decodes to
 * the same Java values in either form but for the decimals' exactness.
 */
public final class SmileWire {
    public static final String MEDIA_TYPE = "application/x-jackson-smile";
    /** What a batch call accepts: Smile, or JSON from a callee that does not speak it. */
    public static final String ACCEPT = MEDIA_TYPE + ", application/json;q=0.5";

    private SmileWire() {
    }

    /**
     * {@code json}'s configuration on a Smile factory. Shared string values (a value repeated within a batch sent once,
     * then referred back to) stay off, Smile's default: looking every short string up in the writer's table cost more CPU
     * on both sides than the bytes it saved (bench/sync, docs/benchmarks.md).
     */
    public static ObjectMapper mapper(ObjectMapper json) {
        ObjectMapper smile = json.copyWith(SmileFactory.builder().build());
        return smile.registerModule(new SimpleModule("weft-smile-bytes-as-base64").addSerializer(byte[].class, new Base64Bytes()));
    }

    public static boolean isSmile(String contentType) {
        return contentType != null && contentType.regionMatches(true, 0, MEDIA_TYPE, 0, MEDIA_TYPE.length());
    }

    /** Bytes as JSON carries them (base64 text), not as Smile's raw binary, which would decode to a byte[] instead. */
    private static final class Base64Bytes extends StdSerializer<byte[]> {
        Base64Bytes() {
            super(byte[].class);
        }

        @Override
        public void serialize(byte[] value, JsonGenerator out, SerializerProvider provider) throws IOException {
            out.writeString(Base64.getEncoder().encodeToString(value));
        }
    }

    /** Reads and writes Smile bodies on the resources that declare its media type, with the service's mapper as above. */
    @Provider
    @Consumes(MEDIA_TYPE)
    @Produces(MEDIA_TYPE)
    public static class Bodies extends JacksonSmileProvider {
        public Bodies(ObjectMapper json) {
            super(mapper(json));
        }
    }
}
