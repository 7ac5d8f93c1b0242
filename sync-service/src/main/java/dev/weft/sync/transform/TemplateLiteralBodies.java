package dev.weft.sync.transform;

import dev.weft.platform.transform.TemplateLiterals;
import jakarta.ws.rs.NameBinding;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.ext.Provider;
import jakarta.ws.rs.ext.ReaderInterceptor;
import jakarta.ws.rs.ext.ReaderInterceptorContext;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.nio.charset.StandardCharsets;

/**
 * Seed 000 sends a transform's code between backticks, as a JavaScript template literal, inside the JSON body. On the
 * methods marked {@link AcceptsTemplateLiterals} such a value is read as the JSON string it stands for; every other
 * body reaches the JSON reader untouched. (The platform's body-size limit has already bounded what is read here.)
 */
@Provider
@TemplateLiteralBodies.AcceptsTemplateLiterals
public class TemplateLiteralBodies implements ReaderInterceptor {

    @NameBinding
    @Retention(RetentionPolicy.RUNTIME)
    @Target({ElementType.TYPE, ElementType.METHOD})
    public @interface AcceptsTemplateLiterals {
    }

    @Override
    public Object aroundReadFrom(ReaderInterceptorContext context) throws IOException, WebApplicationException {
        InputStream original = context.getInputStream();
        byte[] bytes = original.readAllBytes();
        String body = new String(bytes, StandardCharsets.UTF_8);
        String json = TemplateLiterals.toJson(body);
        context.setInputStream(new ByteArrayInputStream(json == body ? bytes : json.getBytes(StandardCharsets.UTF_8)));
        return context.proceed();
    }
}
